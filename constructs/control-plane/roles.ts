import { Construct } from 'constructs';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { assumedBy, policyDocument } from '../aws/policy.ts';

export interface ControlPlaneRolesProps {
  readonly tableArn: string;
  readonly tableKeyArn: string;
  readonly adminTokenArn: string;
  readonly logGroupArn: string;
  /** Where the image comes from, when that is ECR. */
  readonly repositoryArn?: string;
  /** The bootstrap's execution role in each target account: the only roles terrace may become. */
  readonly targetRoleArns: readonly string[];
}

/** The names of both roles are fixed: the bootstrap of every target account trusts the task role by its ARN. */
export const TASK_ROLE_NAME = 'terrace-control-plane-task';

/**
 * The task role may assume the listed accounts' execution roles and use the table and its key, nothing else;
 * the execution role pulls the image, writes the log group and reads the admin token.
 */
export class ControlPlaneRoles extends Construct {
  readonly taskRole: IamRole;
  readonly executionRole: IamRole;

  constructor(scope: Construct, id: string, props: ControlPlaneRolesProps) {
    super(scope, id);
    this.taskRole = new IamRole(this, 'task', { name: TASK_ROLE_NAME, assumeRolePolicy: assumedBy('ecs-tasks.amazonaws.com') });
    new IamRolePolicy(this, 'task_policy', {
      role: this.taskRole.id,
      name: 'terrace',
      policy: policyDocument(
        { Sid: 'AssumeTargetRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [...props.targetRoleArns] },
        {
          Sid: 'Store',
          Effect: 'Allow',
          Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem',
            'dynamodb:BatchWriteItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
          Resource: props.tableArn,
        },
        { Sid: 'StoreKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Resource: props.tableKeyArn },
      ),
    });
    this.executionRole = new IamRole(this, 'execution', { name: 'terrace-control-plane-execution', assumeRolePolicy: assumedBy('ecs-tasks.amazonaws.com') });
    new IamRolePolicy(this, 'execution_policy', {
      role: this.executionRole.id,
      name: 'start-terrace',
      policy: policyDocument(
        ...(props.repositoryArn ? [
          { Sid: 'PullAuth', Effect: 'Allow' as const, Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          { Sid: 'Pull', Effect: 'Allow' as const, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: props.repositoryArn },
        ] : []),
        { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${props.logGroupArn}:*` },
        { Sid: 'AdminToken', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: props.adminTokenArn },
      ),
    });
  }
}
