import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster/index.js';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import type { DbSetupModel } from '../../model/data.ts';
import { assumedBy, policyDocument } from '../policy.ts';

export interface DbSetupTaskProps {
  readonly model: DbSetupModel;
  readonly region: string;
  readonly logRetentionDays: number;
  /** The network tier's key for the environment's log groups. */
  readonly logsKmsKeyArn: string;
  /** The RDS-managed master secret: only this task ever reads it. */
  readonly masterSecretArn: string;
  readonly host: string;
  readonly port: number;
  readonly databaseName: string;
}

/**
 * The one-off task that runs the database setup SQL as the master user (the app user, `rds_iam`, grants,
 * extensions). Its own small cluster, because the data tier applies before compute's cluster exists; clusters
 * cost nothing. The SQL is not here: the controller passes it at RunTask (controller/db-setup/), so a change of
 * extensions re-runs the task without a new task definition. The master secret is read at task start, so a
 * rotated password is always the current one.
 */
export class DbSetupTask extends Construct {
  readonly cluster: EcsCluster;
  readonly logGroup: CloudwatchLogGroup;
  readonly executionRole: IamRole;
  readonly taskDefinition: EcsTaskDefinition;

  constructor(scope: Construct, id: string, props: DbSetupTaskProps) {
    super(scope, id);
    const { model } = props;
    this.cluster = new EcsCluster(this, 'cluster', { name: model.clusterName });
    this.logGroup = new CloudwatchLogGroup(this, 'log_group', { name: model.logGroupName, retentionInDays: props.logRetentionDays, kmsKeyId: props.logsKmsKeyArn });
    this.executionRole = new IamRole(this, 'execution', { name: model.executionRoleName, assumeRolePolicy: assumedBy('ecs-tasks.amazonaws.com') });
    new IamRolePolicy(this, 'execution_policy', {
      role: this.executionRole.id,
      name: 'db-setup-execution',
      policy: policyDocument(
        { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${this.logGroup.arn}:*` },
        { Sid: 'MasterSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: props.masterSecretArn },
      ),
    });
    const container = {
      name: model.container,
      image: model.image,
      essential: true,
      command: model.command,
      // libpq's own variables: psql needs no arguments; require refuses a connection without TLS.
      environment: [
        { name: 'PGAPPNAME', value: 'terrace-db-setup' },
        { name: 'PGCONNECT_TIMEOUT', value: '15' },
        { name: 'PGDATABASE', value: props.databaseName },
        { name: 'PGHOST', value: props.host },
        { name: 'PGPORT', value: String(props.port) },
        { name: 'PGSSLMODE', value: 'require' },
      ],
      secrets: [
        { name: 'PGPASSWORD', valueFrom: `${props.masterSecretArn}:password::` },
        { name: 'PGUSER', valueFrom: `${props.masterSecretArn}:username::` },
      ],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': this.logGroup.name, 'awslogs-region': props.region, 'awslogs-stream-prefix': 'db-setup' } },
    };
    this.taskDefinition = new EcsTaskDefinition(this, 'task_definition', {
      family: model.family,
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: this.executionRole.arn,
      containerDefinitions: JSON.stringify([container]),
    });
  }
}
