import { Construct } from 'constructs';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import type { ServiceModel } from '../../model/compute.ts';
import { assumedBy, policyDocument, type Statement } from '../policy.ts';

export interface ServiceRolesProps {
  readonly model: ServiceModel;
  readonly logGroupArn: string;
  /** Secrets the task's containers get (user secrets and the data tier's). */
  readonly secretArns: string[];
  readonly queueArns: string[];
  /** `arn:...:rds-db:<region>:<account>:dbuser:<cluster resource id>/*` when there is a database. */
  readonly dbUserArn?: string;
  readonly xray: boolean;
}

/**
 * The two roles of a task. The execution role (ECS agent) pulls the image, writes the log group and reads
 * the task's secrets; the task role (the app) uses the environment's queues and database. Every statement
 * names its resources, except the calls AWS only authorizes on `*` (ECR token, X-Ray).
 */
export class ServiceRoles extends Construct {
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;

  constructor(scope: Construct, id: string, props: ServiceRolesProps) {
    super(scope, id);
    const { model } = props;
    this.executionRole = new IamRole(this, 'execution', { name: model.executionRoleName, assumeRolePolicy: assumedBy('ecs-tasks.amazonaws.com') });
    const exec: Statement[] = [{ Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${props.logGroupArn}:*` }];
    if (model.ecrRepositoryArns.length > 0) {
      exec.push({ Sid: 'EcrToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' });
      exec.push({ Sid: 'EcrPull', Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], Resource: [...model.ecrRepositoryArns] });
    }
    if (props.secretArns.length > 0) exec.push({ Sid: 'Secrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: props.secretArns });
    new IamRolePolicy(this, 'execution_policy', { role: this.executionRole.id, name: 'task-execution', policy: policyDocument(...exec) });

    this.taskRole = new IamRole(this, 'task', { name: model.taskRoleName, assumeRolePolicy: assumedBy('ecs-tasks.amazonaws.com') });
    const task: Statement[] = [];
    if (props.queueArns.length > 0) {
      task.push({
        Sid: 'Queues',
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Resource: props.queueArns,
      });
    }
    if (props.dbUserArn) task.push({ Sid: 'DatabaseIamAuth', Effect: 'Allow', Action: 'rds-db:connect', Resource: props.dbUserArn });
    if (props.xray) {
      task.push({ Sid: 'XRay', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:GetSamplingStatisticSummaries'], Resource: '*' });
    }
    if (task.length > 0) new IamRolePolicy(this, 'task_policy', { role: this.taskRole.id, name: 'task', policy: policyDocument(...task) });
  }
}
