import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule/index.js';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js';
import type { NetworkModel, SgKey, SgRule } from '../../model/network.ts';
import { PUBLIC_ALB_PURPOSE, PUBLIC_ALB_TAG } from '../../guardrails/network.ts';

export interface AwsSecurityGroupsProps {
  readonly model: NetworkModel;
  readonly vpcId: string;
}

/**
 * The four groups (ALB, services, Postgres, Redis) with one rule resource per rule: groups that reference
 * each other (ALB <-> services) cannot hold their rules inline, and separate rules show up clearly in plans.
 */
export class AwsSecurityGroups extends Construct {
  readonly groups: Record<SgKey, SecurityGroup>;

  constructor(scope: Construct, id: string, { model, vpcId }: AwsSecurityGroupsProps) {
    super(scope, id);
    this.groups = Object.fromEntries(
      model.securityGroups.map((g) => [g.key, new SecurityGroup(this, g.key, {
        name: g.name,
        description: g.description,
        vpcId,
        // The one group the open-ingress guardrail lets take 80/443 from anywhere.
        tags: { Name: g.name, ...(g.key === 'alb' ? { [PUBLIC_ALB_TAG]: PUBLIC_ALB_PURPOSE } : {}) },
      })]),
    ) as Record<SgKey, SecurityGroup>;

    const peer = (r: SgRule) => (r.cidr ? { cidrIpv4: r.cidr } : { referencedSecurityGroupId: this.groups[r.peer!].id });
    // A group's rules with itself (services to services) get ids of their own: the port may be in a rule with a peer too.
    const ruleId = (g: SgKey, dir: string, r: SgRule) => `${g}_${dir}_${r.peer === g ? 'self_' : ''}${r.port}`;
    for (const g of model.securityGroups) {
      g.ingress.forEach((r) => new VpcSecurityGroupIngressRule(this, ruleId(g.key, 'ingress', r), {
        securityGroupId: this.groups[g.key].id, description: r.description, ipProtocol: 'tcp', fromPort: r.port, toPort: r.port, ...peer(r),
      }));
      g.egress.forEach((r) => new VpcSecurityGroupEgressRule(this, ruleId(g.key, 'egress', r), {
        securityGroupId: this.groups[g.key].id, description: r.description, ipProtocol: 'tcp', fromPort: r.port, toPort: r.port, ...peer(r),
      }));
    }
  }
}
