import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint/index.js';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js';
import type { NetworkModel } from '../../model/network.ts';

export interface VpcEndpointsProps {
  readonly model: NetworkModel & { readonly region: string };
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly routeTableIds: string[];
  readonly privateSubnetIds: string[];
}

/**
 * S3 through a gateway endpoint on every route table (free; image layers come from S3), and, when the spec asks,
 * interface endpoints in the private subnets for the other AWS APIs tasks call, so that traffic skips the NAT.
 * Their group takes HTTPS from the VPC only.
 */
export class VpcEndpoints extends Construct {
  readonly s3: VpcEndpoint;
  readonly interfaces: VpcEndpoint[];

  constructor(scope: Construct, id: string, { model, vpcId, vpcCidr, routeTableIds, privateSubnetIds }: VpcEndpointsProps) {
    super(scope, id);
    const service = (name: string) => `com.amazonaws.${model.region}.${name}`;
    this.s3 = new VpcEndpoint(this, 's3', { vpcId, serviceName: service('s3'), vpcEndpointType: 'Gateway', routeTableIds, tags: { Name: `${model.name}-s3` } });
    if (!model.interfaceEndpoints?.length) {
      this.interfaces = [];
      return;
    }
    const group = new SecurityGroup(this, 'security_group', { name: `${model.name}-endpoints`, description: 'VPC interface endpoints: HTTPS from the VPC', vpcId, tags: { Name: `${model.name}-endpoints` } });
    new VpcSecurityGroupIngressRule(this, 'https_from_vpc', { securityGroupId: group.id, description: 'HTTPS from the VPC', ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: vpcCidr });
    this.interfaces = model.interfaceEndpoints.map((name) => new VpcEndpoint(this, name.replace('.', '_'), {
      vpcId,
      serviceName: service(name),
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: privateSubnetIds,
      securityGroupIds: [group.id],
      tags: { Name: `${model.name}-${name}` },
    }));
  }
}
