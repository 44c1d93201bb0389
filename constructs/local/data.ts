import { Construct } from 'constructs';
import { Fn } from '../core/cdktf.ts';
import type { TierInputs } from '../core/inputs.ts';
import { ref } from '../model/context.ts';
import type { DataModel } from '../model/data.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, fakeId, record, recorded } from './record.ts';

export interface LocalDataProps {
  readonly model: DataModel;
  readonly inputs: TierInputs;
}

/** The data tier as terraform_data: Aurora cluster and parameters, Redis, and each queue with its DLQ. */
export class LocalData extends Construct {
  readonly outputs: Record<string, unknown> = {};

  constructor(scope: Construct, id: string, { model, inputs }: LocalDataProps) {
    super(scope, id);
    const privateSubnetIds = inputs.list(ref('network', 'privateSubnetIds'));
    const arn = (service: string, resource: string) => `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;

    const pg = model.postgres;
    if (pg) {
      const params = record(this, 'postgres_parameter_group', { name: pg.parameterGroupName, family: pg.family, parameters: pg.parameters, apply_method: 'pending-reboot' });
      const cluster = record(this, 'postgres_cluster', {
        cluster_identifier: pg.clusterId,
        engine: 'aurora-postgresql',
        engine_mode: 'provisioned',
        engine_version: pg.engineVersion,
        serverlessv2_scaling_configuration: { min_capacity: pg.minCapacity, max_capacity: pg.maxCapacity },
        storage_encrypted: true,
        manage_master_user_password: true,
        master_username: pg.masterUsername,
        database_name: pg.databaseName,
        backup_retention_period: pg.backupRetentionDays,
        deletion_protection: pg.deletionProtection,
        iam_database_authentication_enabled: true,
        enabled_cloudwatch_logs_exports: ['postgresql'],
        db_cluster_parameter_group_name: recorded(params, 'name'),
        extensions: pg.extensions,
        db_subnet_group: { name: pg.subnetGroupName, subnet_ids: privateSubnetIds },
        vpc_security_group_ids: [inputs.string(ref('network', 'postgresSecurityGroupId'))],
      });
      record(this, 'postgres_instance', { identifier: pg.instanceId, cluster_identifier: recorded(cluster, 'cluster_identifier'), instance_class: 'db.serverless' });
      // AWS reads the writer's AZ and starts the readers after it; here the writer stands for the first AZ.
      const azs = pg.readers.length > 0 ? inputs.list(ref('network', 'availabilityZones')) : [];
      pg.readers.forEach((r, i) =>
        record(this, `postgres_reader_${i + 1}`, {
          identifier: r.instanceId,
          cluster_identifier: recorded(cluster, 'cluster_identifier'),
          instance_class: 'db.serverless',
          promotion_tier: r.promotionTier,
          availability_zone: Fn.element(azs, r.azIndex + 1),
        }),
      );
      const suffix = fakeId(cluster, '', 12);
      const masterSecretArn = arn('secretsmanager', `secret:rds!cluster-${fakeId(cluster, '', 32)}`);
      const endpoint = `${pg.clusterId}.cluster-${suffix}.${LOCAL_REGION}.rds.amazonaws.com`;
      if (pg.readerAutoscaling) {
        record(this, 'postgres_reader_autoscaling', {
          resource_id: `cluster:${pg.clusterId}`,
          scalable_dimension: 'rds:cluster:ReadReplicaCount',
          min_capacity: pg.readerAutoscaling.min,
          max_capacity: pg.readerAutoscaling.max,
          cpu_target: pg.readerAutoscaling.cpuTarget,
        });
      }
      // The setup task as AWS would get it; on this target the controller does not run it (no database here).
      const setupCluster = record(this, 'db_setup_cluster', { name: pg.setup.clusterName });
      const setupLogGroup = record(this, 'db_setup_log_group', { name: pg.setup.logGroupName });
      const setupTask = record(this, 'db_setup_task', {
        family: pg.setup.family,
        execution_role: pg.setup.executionRoleName,
        container: pg.setup.container,
        image: pg.setup.image,
        command: pg.setup.command,
        environment: { PGHOST: endpoint, PGPORT: String(pg.port), PGDATABASE: pg.databaseName, PGSSLMODE: 'require' },
        secrets: { PGUSER: `${masterSecretArn}:username::`, PGPASSWORD: `${masterSecretArn}:password::` },
        log_group: recorded(setupLogGroup, 'name'),
      });
      Object.assign(this.outputs, {
        postgresEndpoint: endpoint,
        postgresReaderEndpoint: `${pg.clusterId}.cluster-ro-${suffix}.${LOCAL_REGION}.rds.amazonaws.com`,
        postgresPort: pg.port,
        postgresDatabase: pg.databaseName,
        postgresSecretArn: masterSecretArn,
        postgresClusterId: recorded(cluster, 'cluster_identifier'),
        postgresClusterResourceId: fakeId(cluster, 'cluster-', 26),
        postgresAppUser: pg.appUsername,
        dbSetupClusterArn: arn('ecs', `cluster/${recorded(setupCluster, 'name')}`),
        dbSetupTaskDefinitionArn: arn('ecs', `task-definition/${recorded(setupTask, 'family')}:1`),
        dbSetupContainer: pg.setup.container,
        dbSetupSubnetIds: privateSubnetIds,
        dbSetupSecurityGroupId: inputs.string(ref('network', 'serviceSecurityGroupId')),
        dbSetupLogGroup: recorded(setupLogGroup, 'name'),
      });
    }

    const redis = model.redis;
    if (redis) {
      const secret = record(this, 'redis_auth_secret', { name: redis.authSecretName, generated_password_length: 64 });
      const params = redis.parameterGroup && record(this, 'redis_parameter_group', { name: redis.parameterGroup.name, family: redis.parameterGroup.family, parameters: redis.parameterGroup.parameters });
      const group = record(this, 'redis', {
        replication_group_id: redis.replicationGroupId,
        engine: 'redis',
        engine_version: redis.engineVersion,
        node_type: redis.nodeType,
        num_cache_clusters: redis.numCacheClusters,
        automatic_failover_enabled: redis.automaticFailover,
        multi_az_enabled: redis.automaticFailover,
        at_rest_encryption_enabled: true,
        transit_encryption_enabled: true,
        auth_token_secret: recorded(secret, 'name'),
        parameter_group_name: params ? recorded(params, 'name') : redis.parameterGroupName,
        subnet_group: { name: redis.subnetGroupName, subnet_ids: privateSubnetIds },
        security_group_ids: [inputs.string(ref('network', 'redisSecurityGroupId'))],
      });
      Object.assign(this.outputs, {
        redisEndpoint: `master.${redis.replicationGroupId}.${fakeId(group, '', 6)}.${LOCAL_REGION}.cache.amazonaws.com`,
        redisPort: redis.port,
        redisAuthSecretArn: arn('secretsmanager', `secret:${redis.authSecretName}-${fakeId(secret, '', 6)}`),
        redisReplicationGroupId: recorded(group, 'replication_group_id'),
        redisMemberClusterIds: redis.memberClusterIds,
      });
    }

    const queues = model.queues.map((q) => {
      const dlqArn = arn('sqs', q.dlqName);
      const dlq = record(this, `queue_${q.key}_dlq`, { name: q.dlqName, arn: dlqArn, fifo_queue: q.fifo, message_retention_seconds: q.dlqRetentionSeconds, sqs_managed_sse_enabled: true, url: queueUrl(q.dlqName) });
      const main = record(this, `queue_${q.key}`, {
        name: q.name,
        arn: arn('sqs', q.name),
        url: queueUrl(q.name),
        fifo_queue: q.fifo,
        visibility_timeout_seconds: q.visibilityTimeoutSeconds,
        sqs_managed_sse_enabled: true,
        redrive_policy: { deadLetterTargetArn: recorded(dlq, 'arn'), maxReceiveCount: q.maxReceiveCount },
      });
      return { dlq, main };
    });
    Object.assign(this.outputs, {
      queueNames: queues.map((q) => recorded(q.main, 'name')),
      queueUrls: queues.map((q) => recorded(q.main, 'url')),
      queueArns: queues.map((q) => recorded(q.main, 'arn')),
      dlqNames: queues.map((q) => recorded(q.dlq, 'name')),
      dlqArns: queues.map((q) => recorded(q.dlq, 'arn')),
    });
  }
}

function queueUrl(name: string): string {
  return `https://sqs.${LOCAL_REGION}.amazonaws.com/${LOCAL_ACCOUNT}/${name}`;
}
