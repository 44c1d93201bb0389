import { Construct } from 'constructs';
import type { NetworkModel } from '../../model/network.ts';
import { AwsFlowLogs } from './flow-logs.ts';
import { AwsRouting } from './routing.ts';
import { AwsSecurityGroups } from './security-groups.ts';
import { AwsVpc } from './vpc.ts';

export interface AwsNetworkProps {
  readonly model: NetworkModel;
}

/** The network tier on AWS. */
export class AwsNetwork extends Construct {
  readonly vpc: AwsVpc;
  readonly securityGroups: AwsSecurityGroups;
  readonly outputs: Record<string, unknown>;

  constructor(scope: Construct, id: string, { model }: AwsNetworkProps) {
    super(scope, id);
    this.vpc = new AwsVpc(this, 'vpc', { model });
    new AwsRouting(this, 'routing', { model, vpc: this.vpc });
    new AwsFlowLogs(this, 'flow_logs', { model, vpcId: this.vpc.vpc.id });
    this.securityGroups = new AwsSecurityGroups(this, 'sg', { model, vpcId: this.vpc.vpc.id });
    const g = this.securityGroups.groups;
    this.outputs = {
      vpcId: this.vpc.vpc.id,
      vpcCidr: this.vpc.vpc.cidrBlock,
      availabilityZones: this.vpc.azNames,
      publicSubnetIds: this.vpc.publicSubnets.map((s) => s.id),
      privateSubnetIds: this.vpc.privateSubnets.map((s) => s.id),
      albSecurityGroupId: g.alb.id,
      serviceSecurityGroupId: g.services.id,
      postgresSecurityGroupId: g.postgres.id,
      redisSecurityGroupId: g.redis.id,
    };
  }
}
