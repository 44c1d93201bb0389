import { Construct } from 'constructs';
import type { NetworkModel } from '../../model/network.ts';
import { VpcDefaults } from './defaults.ts';
import { VpcEndpoints } from './endpoints.ts';
import { AwsFlowLogs } from './flow-logs.ts';
import { LogsKey } from './logs-key.ts';
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
    const vpc = this.vpc.vpc;
    const routing = new AwsRouting(this, 'routing', { model, vpc: this.vpc });
    const subnetIds = [...this.vpc.publicSubnets, ...this.vpc.privateSubnets].map((s) => s.id);
    new VpcDefaults(this, 'defaults', { name: model.name, vpcId: vpc.id, defaultNetworkAclId: vpc.defaultNetworkAclId, subnetIds });
    if (!model.logsKey || !model.region) throw new Error(`${model.name}: an environment's network model has a logs key and region`);
    const logsKey = new LogsKey(this, 'logs_key', { model: model.logsKey });
    new AwsFlowLogs(this, 'flow_logs', { model, vpcId: vpc.id, kmsKeyArn: logsKey.key.arn });
    new VpcEndpoints(this, 'endpoints', {
      model: { ...model, region: model.region }, vpcId: vpc.id, vpcCidr: vpc.cidrBlock,
      routeTableIds: routing.routeTables.map((t) => t.id),
      privateSubnetIds: this.vpc.privateSubnets.map((s) => s.id),
    });
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
      natGatewayIds: routing.natGateways.map((n) => n.id),
      logsKmsKeyArn: logsKey.key.arn,
    };
  }
}
