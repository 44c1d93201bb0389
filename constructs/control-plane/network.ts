import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule/index.js';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js';
import { AwsFlowLogs } from '../aws/network/flow-logs.ts';
import { AwsRouting } from '../aws/network/routing.ts';
import { AwsVpc } from '../aws/network/vpc.ts';
import { PUBLIC_ALB_PURPOSE, PUBLIC_ALB_TAG } from '../guardrails/network.ts';
import { allowedCidrs } from '../../specs/control-plane.ts';
import { ANYWHERE } from '../model/network.ts';
import type { ControlPlaneModel } from './model.ts';
import { PORT } from './model.ts';

export interface ControlPlaneNetworkProps {
  readonly model: ControlPlaneModel;
}

/**
 * The tiers' VPC, routing and flow logs, with two groups of its own: the ALB takes HTTPS from spec.allowedCidrs (by
 * default the VPC, or anywhere when public) and talks only to the tasks; the tasks take only the ALB and reach out on 443 only.
 */
export class ControlPlaneNetwork extends Construct {
  readonly vpc: AwsVpc;
  readonly albGroup: SecurityGroup;
  readonly taskGroup: SecurityGroup;

  constructor(scope: Construct, id: string, { model }: ControlPlaneNetworkProps) {
    super(scope, id);
    const { network, spec } = model;
    this.vpc = new AwsVpc(this, 'vpc', { model: network });
    new AwsRouting(this, 'routing', { model: network, vpc: this.vpc });
    new AwsFlowLogs(this, 'flow_logs', { model: network, vpcId: this.vpc.vpc.id });
    const vpcId = this.vpc.vpc.id;
    this.albGroup = new SecurityGroup(this, 'alb', {
      name: 'terrace-alb',
      description: 'terrace API load balancer: HTTPS in, the tasks out',
      vpcId,
      tags: spec.public ? { [PUBLIC_ALB_TAG]: PUBLIC_ALB_PURPOSE } : {},
    });
    this.taskGroup = new SecurityGroup(this, 'tasks', { name: 'terrace-tasks', description: 'terrace tasks: the ALB in, HTTPS out', vpcId });
    // One rule per range; the default range keeps the id it always had, so existing stacks do not replace it.
    const defaultCidr = spec.public ? ANYWHERE : spec.cidr;
    for (const cidr of allowedCidrs(spec)) {
      new VpcSecurityGroupIngressRule(this, cidr === defaultCidr ? 'alb_https' : `alb_https_${cidr.replace(/[./]/g, '_')}`, {
        securityGroupId: this.albGroup.id,
        description: cidr === ANYWHERE ? 'HTTPS from anywhere' : cidr === spec.cidr ? 'HTTPS from the VPC' : 'HTTPS from an allowed network (VPN, peering, transit gateway)',
        ipProtocol: 'tcp', fromPort: 443, toPort: 443,
        cidrIpv4: cidr,
      });
    }
    new VpcSecurityGroupEgressRule(this, 'alb_to_tasks', { securityGroupId: this.albGroup.id, description: 'to the tasks', ipProtocol: 'tcp', fromPort: PORT, toPort: PORT, referencedSecurityGroupId: this.taskGroup.id });
    new VpcSecurityGroupIngressRule(this, 'tasks_from_alb', { securityGroupId: this.taskGroup.id, description: 'from the ALB', ipProtocol: 'tcp', fromPort: PORT, toPort: PORT, referencedSecurityGroupId: this.albGroup.id });
    // AWS APIs (STS, DynamoDB, the target accounts' services), ECR and Secrets Manager.
    new VpcSecurityGroupEgressRule(this, 'tasks_https', { securityGroupId: this.taskGroup.id, description: 'HTTPS to AWS APIs', ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: ANYWHERE });
  }
}
