import { Construct } from 'constructs';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones/index.js';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway/index.js';
import { Subnet } from '@cdktf/provider-aws/lib/subnet/index.js';
import { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { Fn } from '../../core/cdktf.ts';
import type { NetworkModel } from '../../model/network.ts';

export interface AwsVpcProps {
  readonly model: NetworkModel;
}

/** The VPC, its internet gateway, and a public and a private subnet in each of the first azCount AZs. */
export class AwsVpc extends Construct {
  readonly vpc: Vpc;
  readonly internetGateway: InternetGateway;
  readonly publicSubnets: Subnet[];
  readonly privateSubnets: Subnet[];
  readonly azNames: string[];

  constructor(scope: Construct, id: string, { model }: AwsVpcProps) {
    super(scope, id);
    const azs = new DataAwsAvailabilityZones(this, 'azs', {
      state: 'available',
      filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
    });
    this.azNames = Array.from({ length: model.azCount }, (_, i) => Fn.element(azs.names, i));
    this.vpc = new Vpc(this, 'vpc', { cidrBlock: model.cidr, enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: model.name } });
    this.internetGateway = new InternetGateway(this, 'internet_gateway', { vpcId: this.vpc.id, tags: { Name: model.name } });
    const subnet = (kind: 'public' | 'private') => (s: NetworkModel['publicSubnets'][number], i: number) =>
      new Subnet(this, `${kind}_subnet_${i}`, {
        vpcId: this.vpc.id,
        cidrBlock: s.cidr,
        availabilityZone: this.azNames[s.azIndex],
        // Nothing gets a public IP by itself: the ALB and NAT gateways have their own.
        mapPublicIpOnLaunch: false,
        tags: { Name: s.name, tier: kind },
      });
    this.publicSubnets = model.publicSubnets.map(subnet('public'));
    this.privateSubnets = model.privateSubnets.map(subnet('private'));
  }
}
