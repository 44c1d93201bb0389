import { Construct } from 'constructs';
import type { TierInputs } from '../../core/inputs.ts';
import { logRetentionDays, ref, type ModelContext } from '../../model/context.ts';
import type { DataModel } from '../../model/data.ts';
import { AuroraPostgres } from './aurora.ts';
import { logsKmsKeyArn } from '../network/logs-key.ts';
import { DbSetupTask } from './db-setup.ts';
import { QueueWithDlq } from './queues.ts';
import { Redis } from './redis.ts';

export interface AwsDataProps {
  readonly ctx: ModelContext;
  readonly model: DataModel;
  readonly inputs: TierInputs;
}

/** The data tier on AWS: Aurora PostgreSQL, Redis and the queues, in the network tier's private subnets. */
export class AwsData extends Construct {
  readonly postgres?: AuroraPostgres;
  readonly redis?: Redis;
  readonly queues: QueueWithDlq[];
  readonly outputs: Record<string, unknown> = {};

  readonly setup?: DbSetupTask;

  constructor(scope: Construct, id: string, { ctx, model, inputs }: AwsDataProps) {
    super(scope, id);
    const subnetIds = inputs.list(ref('network', 'privateSubnetIds'));
    if (model.postgres) {
      const pg = new AuroraPostgres(this, 'postgres', {
        model: model.postgres,
        subnetIds,
        securityGroupId: inputs.string(ref('network', 'postgresSecurityGroupId')),
        availabilityZones: model.postgres.readers.length > 0 ? inputs.list(ref('network', 'availabilityZones')) : [],
      });
      this.postgres = pg;
      const masterSecretArn = pg.cluster.masterUserSecret.get(0).secretArn;
      const setup = new DbSetupTask(this, 'db_setup', {
        model: model.postgres.setup,
        region: ctx.target.spec.region!,
        logRetentionDays: logRetentionDays(ctx.spec),
        logsKmsKeyArn: logsKmsKeyArn(inputs),
        masterSecretArn,
        host: pg.cluster.endpoint,
        port: model.postgres.port,
        databaseName: model.postgres.databaseName,
      });
      this.setup = setup;
      // The services' group: the one Postgres takes connections from, with egress to ECR and Secrets Manager.
      const setupSecurityGroupId = inputs.string(ref('network', 'serviceSecurityGroupId'));
      Object.assign(this.outputs, {
        postgresEndpoint: pg.cluster.endpoint,
        postgresReaderEndpoint: pg.cluster.readerEndpoint,
        postgresPort: pg.cluster.port,
        postgresDatabase: pg.cluster.databaseName,
        postgresSecretArn: masterSecretArn,
        postgresClusterId: pg.cluster.clusterIdentifier,
        postgresClusterResourceId: pg.cluster.clusterResourceId,
        postgresAppUser: model.postgres.appUsername,
        dbSetupClusterArn: setup.cluster.arn,
        dbSetupTaskDefinitionArn: setup.taskDefinition.arn,
        dbSetupContainer: model.postgres.setup.container,
        dbSetupSubnetIds: subnetIds,
        dbSetupSecurityGroupId: setupSecurityGroupId,
        dbSetupLogGroup: setup.logGroup.name,
      });
    }
    if (model.redis) {
      const redis = new Redis(this, 'redis', { model: model.redis, subnetIds, securityGroupId: inputs.string(ref('network', 'redisSecurityGroupId')) });
      this.redis = redis;
      Object.assign(this.outputs, {
        redisEndpoint: redis.replicationGroup.primaryEndpointAddress,
        redisPort: redis.replicationGroup.port,
        redisAuthSecretArn: redis.authSecret.arn,
        redisReplicationGroupId: redis.replicationGroup.id,
        // AWS names the member clusters <group>-001...; alarms watch each.
        redisMemberClusterIds: model.redis.memberClusterIds,
      });
    }
    this.queues = model.queues.map((q) => new QueueWithDlq(this, `queue_${q.key}`, { model: q }));
    Object.assign(this.outputs, {
      queueNames: this.queues.map((q) => q.queue.name),
      queueUrls: this.queues.map((q) => q.queue.url),
      queueArns: this.queues.map((q) => q.queue.arn),
      dlqNames: this.queues.map((q) => q.dlq.name),
      dlqArns: this.queues.map((q) => q.dlq.arn),
    });
  }
}
