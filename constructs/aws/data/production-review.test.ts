import { describe, expect, it } from 'vitest';
import { awsExample, awsTier, FAKE_INPUTS, resources, withSpec } from '../../testing/fixtures.ts';

// Issue 12's data findings, asserted on the synthesized JSON.
const staging = awsExample('chat-staging').environment;

describe('the database setup task', () => {
  it('runs psql from a pinned image as the master user, whose secret it alone reads, in its own cluster and log group', async () => {
    const { tf } = await awsTier('chat-staging', 'data', FAKE_INPUTS);
    const master = '${aws_rds_cluster.data_postgres_cluster.master_user_secret[0].secret_arn}';
    const task = resources(tf, 'aws_ecs_task_definition').data_db_setup_task_definition;
    expect(task).toMatchObject({ family: 'chat-staging-data-db-setup', cpu: '256', memory: '512', network_mode: 'awsvpc', requires_compatibilities: ['FARGATE'], execution_role_arn: '${aws_iam_role.data_db_setup_execution.arn}' });
    expect(task.task_role_arn).toBeUndefined();
    const [psql] = JSON.parse(task.container_definitions);
    expect(psql.image).toMatch(/^public\.ecr\.aws\/docker\/library\/postgres:[0-9]+\.[0-9]+-alpine$/);
    expect(psql.command).toEqual(['sh', '-c', `printf '%s' "$SETUP_SQL" | psql -X -v ON_ERROR_STOP=1 -f -`]);
    expect(psql.secrets).toEqual([{ name: 'PGPASSWORD', valueFrom: `${master}:password::` }, { name: 'PGUSER', valueFrom: `${master}:username::` }]);
    expect(Object.fromEntries(psql.environment.map((e: { name: string; value: string }) => [e.name, e.value]))).toMatchObject({
      PGHOST: '${aws_rds_cluster.data_postgres_cluster.endpoint}', PGPORT: '5432', PGDATABASE: 'chat_staging', PGSSLMODE: 'require',
    });
    expect(psql.logConfiguration.options).toEqual({ 'awslogs-group': '${aws_cloudwatch_log_group.data_db_setup_log_group.name}', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'db-setup' });
    const policy = JSON.parse(resources(tf, 'aws_iam_role_policy').data_db_setup_execution_policy.policy).Statement;
    expect(policy).toEqual([
      { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '${aws_cloudwatch_log_group.data_db_setup_log_group.arn}:*' },
      { Sid: 'MasterSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: master },
    ]);
    expect(resources(tf, 'aws_ecs_cluster').data_db_setup_cluster.name).toBe('chat-staging-data-setup');
    expect(resources(tf, 'aws_cloudwatch_log_group').data_db_setup_log_group).toMatchObject({ name: '/terrace/chat-staging/db-setup', retention_in_days: 30, kms_key_id: FAKE_INPUTS.network.logsKmsKeyArn });
    // What the controller needs to start it.
    expect(tf.output).toMatchObject({
      postgresAppUser: { value: 'terrace_app' },
      dbSetupClusterArn: { value: '${aws_ecs_cluster.data_db_setup_cluster.arn}' },
      dbSetupTaskDefinitionArn: { value: '${aws_ecs_task_definition.data_db_setup_task_definition.arn}' },
      dbSetupContainer: { value: 'psql' },
      dbSetupSubnetIds: { value: ['subnet-priv1', 'subnet-priv2'] },
      dbSetupSecurityGroupId: { value: 'sg-svc' },
    });
  });
  it('has IAM database authentication on the cluster', async () => {
    const { tf } = await awsTier('chat-staging', 'data', FAKE_INPUTS);
    expect(resources(tf, 'aws_rds_cluster').data_postgres_cluster.iam_database_authentication_enabled).toBe(true);
  });
});

describe('reader autoscaling', () => {
  it('is off by default', async () => {
    const { tf } = await awsTier('chat-prod', 'data');
    expect(tf.resource!.aws_appautoscaling_target).toBeUndefined();
  });
  it('scales the reader count from readers to maxReaders on reader CPU, once the readers exist', async () => {
    const env = withSpec(staging, (s) => Object.assign(s.data.postgres, { readers: 1, readerAutoscaling: { maxReaders: 4 } }));
    const { tf } = await awsTier('chat-staging', 'data', FAKE_INPUTS, env);
    expect(resources(tf, 'aws_appautoscaling_target').data_postgres_reader_scaling_target).toMatchObject({
      service_namespace: 'rds', scalable_dimension: 'rds:cluster:ReadReplicaCount', resource_id: 'cluster:${aws_rds_cluster.data_postgres_cluster.cluster_identifier}',
      min_capacity: 1, max_capacity: 4,
      depends_on: ['aws_rds_cluster_instance.data_postgres_instance', 'aws_rds_cluster_instance.data_postgres_reader_1'],
    });
    expect(resources(tf, 'aws_appautoscaling_policy').data_postgres_reader_scaling_cpu).toMatchObject({
      name: 'chat-staging-data-pg-readers-cpu', policy_type: 'TargetTrackingScaling',
      target_tracking_scaling_policy_configuration: { target_value: 70, predefined_metric_specification: { predefined_metric_type: 'RDSReaderAverageCPUUtilization' } },
    });
  });
  it('refuses maxReaders below readers at its path', () => {
    expect(() => withSpec(staging, (s) => Object.assign(s.data.postgres, { readers: 3, readerAutoscaling: { maxReaders: 2 } }))).toThrow('spec.data.postgres.readerAutoscaling.maxReaders: 2 is below readers 3');
  });
});
