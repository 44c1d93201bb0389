import { Construct } from 'constructs';
import { DefaultNetworkAcl } from '@cdktf/provider-aws/lib/default-network-acl/index.js';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group/index.js';
import { NetworkAcl } from '@cdktf/provider-aws/lib/network-acl/index.js';

export interface VpcDefaultsProps {
  readonly name: string;
  readonly vpcId: string;
  readonly defaultNetworkAclId: string;
  readonly subnetIds: string[];
}

const ALL = { protocol: '-1', ruleNo: 100, action: 'allow', cidrBlock: '0.0.0.0/0', fromPort: 0, toPort: 0 };

/**
 * The VPC's default security group and default network ACL, taken over with no rules: whatever lands in the VPC
 * without a group or ACL of its own (a hand-made instance, a subnet added outside terrace) reaches nothing.
 * terrace's subnets leave the default ACL for one of their own that allows all: security groups do the filtering,
 * and a stateless ACL would have to open every ephemeral port anyway.
 */
export class VpcDefaults extends Construct {
  readonly networkAcl: NetworkAcl;

  constructor(scope: Construct, id: string, { name, vpcId, defaultNetworkAclId, subnetIds }: VpcDefaultsProps) {
    super(scope, id);
    new DefaultSecurityGroup(this, 'security_group', { vpcId, ingress: [], egress: [], tags: { Name: `${name}-default-unused` } });
    this.networkAcl = new NetworkAcl(this, 'subnets_network_acl', {
      vpcId,
      subnetIds,
      ingress: [ALL],
      egress: [ALL],
      tags: { Name: `${name}-subnets` },
    });
    new DefaultNetworkAcl(this, 'network_acl', {
      defaultNetworkAclId,
      ingress: [],
      egress: [],
      tags: { Name: `${name}-default-deny` },
      // Subnets move to the ACL above; AWS moves them back when that ACL goes.
      lifecycle: { ignoreChanges: ['subnet_ids'] },
      dependsOn: [this.networkAcl],
    });
  }
}
