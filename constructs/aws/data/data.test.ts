import { describe, expect, it } from 'vitest';
import { Testing } from '../../core/cdktf.ts';
import { awsTier, FAKE_INPUTS, resources, withSpec, awsExample } from '../../testing/fixtures.ts';
import { QueueWithDlq } from './queues.ts';

describe('AWS data tier', () => {
  it('runs Aurora PostgreSQL Serverless v2, encrypted, with an RDS-managed password and IAM auth', async () => {
    const { tf } = await awsTier('chat-staging', 'data', FAKE_INPUTS);
    expect(resources(tf, 'aws_rds_cluster').data_postgres_cluster).toMatchObject({
      engine: 'aurora-postgresql',
      engine_mode: 'provisioned',
      engine_version: '16.6',
      storage_encrypted: true,
      manage_master_user_password: true,
      iam_database_authentication_enabled: true,
      backup_retention_period: 7,
      deletion_protection: true,
      skip_final_snapshot: false,
      enabled_cloudwatch_logs_exports: ['postgresql'],
      serverlessv2_scaling_configuration: { min_capacity: 0.5, max_capacity: 4 },
      vpc_security_group_ids: ['sg-pg'],
    });
    expect(resources(tf, 'aws_rds_cluster').data_postgres_cluster.master_password).toBeUndefined();
    expect(resources(tf, 'aws_rds_cluster_instance').data_postgres_instance).toMatchObject({ instance_class: 'db.serverless', publicly_accessible: false });
    expect(resources(tf, 'aws_db_subnet_group').data_postgres_subnet_group.subnet_ids).toEqual(['subnet-priv1', 'subnet-priv2']);
  });

  it('runs only the writer without readers, and reader instances spread from the writer\'s AZ with promotion tiers', async () => {
    const staging = await awsTier('chat-staging', 'data', FAKE_INPUTS);
    expect(Object.keys(resources(staging.tf, 'aws_rds_cluster_instance'))).toEqual(['data_postgres_instance']);
    expect(resources(staging.tf, 'aws_rds_cluster_instance').data_postgres_instance.availability_zone).toBeUndefined();

    const env = withSpec(awsExample('chat-staging').environment, (s) => (s.data.postgres.readers = 2));
    const { tf } = await awsTier('chat-staging', 'data', FAKE_INPUTS, env);
    const instances = resources(tf, 'aws_rds_cluster_instance');
    expect(Object.keys(instances)).toEqual(['data_postgres_instance', 'data_postgres_reader_1', 'data_postgres_reader_2']);
    const writerAz = 'aws_rds_cluster_instance.data_postgres_instance.availability_zone';
    const fromWriter = `concat(tolist(setsubtract(["eu-west-1a", "eu-west-1b"], [${writerAz}])), [${writerAz}])`;
    expect(instances.data_postgres_reader_1).toMatchObject({
      identifier: 'chat-staging-data-pg-2',
      cluster_identifier: '${aws_rds_cluster.data_postgres_cluster.id}',
      instance_class: 'db.serverless',
      engine: '${aws_rds_cluster.data_postgres_cluster.engine}',
      db_subnet_group_name: '${aws_db_subnet_group.data_postgres_subnet_group.name}',
      promotion_tier: 1,
      availability_zone: `\${element(${fromWriter}, 0)}`,
      publicly_accessible: false,
      performance_insights_enabled: true,
    });
    expect(instances.data_postgres_reader_2).toMatchObject({ identifier: 'chat-staging-data-pg-3', promotion_tier: 2, availability_zone: `\${element(${fromWriter}, 1)}` });
    // The writer is never pinned to an AZ (that would replace it) and has no promotion tier of its own.
    expect(instances.data_postgres_instance.availability_zone).toBeUndefined();
  });

  it('validates the prod example with readers from the network tier\'s state', async () => {
    const { tf } = await awsTier('chat-prod', 'data');
    const readers = Object.entries(resources(tf, 'aws_rds_cluster_instance')).filter(([k]) => k.startsWith('data_postgres_reader_'));
    expect(readers.map(([, r]) => [r.identifier, r.promotion_tier])).toEqual([['chat-prod-data-pg-2', 1], ['chat-prod-data-pg-3', 2]]);
    expect(readers[0][1].availability_zone).toContain('data.terraform_remote_state.remote_state_network.outputs.availabilityZones');
  });

  it('preloads requested extensions in the cluster parameter group', async () => {
    const { environment } = awsExample('chat-staging');
    const env = withSpec(environment, (s) => (s.data.postgres.extensions = ['pg_stat_statements', 'pg_cron', 'pgvector']));
    const { tf } = await awsTier('chat-staging', 'data', FAKE_INPUTS, env);
    const group = resources(tf, 'aws_rds_cluster_parameter_group').data_postgres_parameter_group;
    expect(group.family).toBe('aurora-postgresql16');
    expect(group.parameter).toContainEqual({ name: 'shared_preload_libraries', value: 'pg_stat_statements,pg_cron', apply_method: 'pending-reboot' });
    expect(group.parameter).toContainEqual({ name: 'rds.force_ssl', value: '1', apply_method: 'pending-reboot' });
  });

  it('encrypts Redis and takes its AUTH token from a generated secret; failover with replicas', async () => {
    const { tf } = await awsTier('chat-prod', 'data');
    expect(resources(tf, 'aws_elasticache_replication_group').data_redis_replication_group).toMatchObject({
      at_rest_encryption_enabled: 'true',
      transit_encryption_enabled: true,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      num_cache_clusters: 3,
      auth_token: '${aws_secretsmanager_secret_version.data_redis_auth_secret_version.secret_string}',
      // Provider 6.x refuses auth_token without it (its upgrade guide); 5.100.0 defaulted it.
      auth_token_update_strategy: 'ROTATE',
    });
    expect(resources(tf, 'aws_secretsmanager_secret_version').data_redis_auth_secret_version.lifecycle).toEqual({ ignore_changes: ['secret_string'] });
    expect(tf.data!.aws_secretsmanager_random_password.data_redis_auth_token).toMatchObject({ password_length: 64, exclude_punctuation: true });
  });

  it('gives Redis a parameter group with the maxmemory-policy when one is set, else ElastiCache\'s default', async () => {
    const staging = await awsTier('chat-staging', 'data', FAKE_INPUTS);
    expect(staging.tf.resource!.aws_elasticache_parameter_group).toBeUndefined();
    expect(resources(staging.tf, 'aws_elasticache_replication_group').data_redis_replication_group.parameter_group_name).toBe('default.redis7');

    const { tf } = await awsTier('chat-prod', 'data');
    expect(resources(tf, 'aws_elasticache_parameter_group').data_redis_parameter_group).toMatchObject({
      name: 'chat-prod-data-redis-redis7',
      family: 'redis7',
      parameter: [{ name: 'maxmemory-policy', value: 'allkeys-lru' }],
      // A description that names the policy would replace the group (in use) on every policy change.
      description: 'chat-prod-data-redis: terrace parameters',
    });
    expect(resources(tf, 'aws_elasticache_replication_group').data_redis_replication_group).toMatchObject({
      engine_version: '7.1',
      parameter_group_name: '${aws_elasticache_parameter_group.data_redis_parameter_group.name}',
    });
  });

  it('gives each queue an encrypted DLQ, FIFO on both when asked', async () => {
    const { tf } = await awsTier('chat-staging', 'data', FAKE_INPUTS);
    const q = resources(tf, 'aws_sqs_queue');
    expect(q.data_queue_notifications_queue).toMatchObject({ name: 'chat-staging-data-notifications.fifo', fifo_queue: true, visibility_timeout_seconds: 30, sqs_managed_sse_enabled: true });
    expect(q.data_queue_notifications_dlq).toMatchObject({ name: 'chat-staging-data-notifications-dlq.fifo', fifo_queue: true, sqs_managed_sse_enabled: true });
    expect(JSON.parse(q.data_queue_notifications_queue.redrive_policy)).toEqual({ deadLetterTargetArn: '${aws_sqs_queue.data_queue_notifications_dlq.arn}', maxReceiveCount: 3 });
    expect(q.data_queue_default_queue.fifo_queue).toBeUndefined();
  });

  it('QueueWithDlq alone (Testing.synthScope)', () => {
    const json = Testing.synthScope((scope) => {
      new QueueWithDlq(scope, 'jobs', { model: { key: 'jobs', name: 'e-data-jobs', dlqName: 'e-data-jobs-dlq', fifo: false, visibilityTimeoutSeconds: 90, maxReceiveCount: 7, dlqRetentionSeconds: 1209600, urlEnvVar: 'QUEUE_JOBS_URL' } });
    });
    expect(Testing.toHaveResourceWithProperties(json, 'aws_sqs_queue', { name: 'e-data-jobs', visibility_timeout_seconds: 90, sqs_managed_sse_enabled: true })).toBe(true);
    expect(Testing.toHaveResourceWithProperties(json, 'aws_sqs_queue', { name: 'e-data-jobs-dlq', message_retention_seconds: 1209600 })).toBe(true);
    expect(Testing.toHaveResource(json, 'aws_sqs_queue_redrive_allow_policy')).toBe(true);
  });
});
