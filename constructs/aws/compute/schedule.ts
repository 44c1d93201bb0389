import { Construct } from 'constructs';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule/index.js';
import { Fn } from '../../core/cdktf.ts';
import type { ScheduleModel } from '../../model/compute.ts';
import { assumedBy, policyDocument } from '../policy.ts';

export interface ScheduledRunProps {
  readonly model: ScheduleModel;
  readonly partition: string;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  /** The service's execution and task roles, which the scheduler hands to the task it starts. */
  readonly passRoleArns: string[];
  readonly subnetIds: string[];
  readonly securityGroupId: string;
}

/**
 * EventBridge Scheduler starting the service's task definition on a schedule, with the command overridden.
 * The universal target (the ECS RunTask call itself) is used so the input is exactly RunTask's request.
 * The scheduler's role may run that task definition in this cluster and pass the service's two roles, no more.
 */
export class ScheduledRun extends Construct {
  readonly role: IamRole;
  readonly schedule: SchedulerSchedule;

  constructor(scope: Construct, id: string, props: ScheduledRunProps) {
    super(scope, id);
    const { model } = props;
    this.role = new IamRole(this, 'role', { name: model.roleName, assumeRolePolicy: assumedBy('scheduler.amazonaws.com') });
    new IamRolePolicy(this, 'policy', {
      role: this.role.id,
      name: 'run-task',
      policy: policyDocument(
        { Sid: 'RunTask', Effect: 'Allow', Action: 'ecs:RunTask', Resource: props.taskDefinitionArn, Condition: { ArnEquals: { 'ecs:cluster': props.clusterArn } } },
        { Sid: 'PassTaskRoles', Effect: 'Allow', Action: 'iam:PassRole', Resource: props.passRoleArns, Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
      ),
    });
    // Plain JSON with tokens resolved in place (as in policies), so the model's escaped strings stay escaped;
    // only the subnet list (another tier's output, a list) goes through jsonencode.
    const subnets = '@subnets@';
    const input = JSON.stringify({
      Cluster: props.clusterArn,
      TaskDefinition: props.taskDefinitionArn,
      LaunchType: 'FARGATE',
      NetworkConfiguration: { AwsvpcConfiguration: { Subnets: subnets, SecurityGroups: [props.securityGroupId], AssignPublicIp: 'DISABLED' } },
      ...(model.command ? { Overrides: { ContainerOverrides: [{ Name: model.service, Command: model.command }] } } : {}),
    }).replace(JSON.stringify(subnets), Fn.jsonencode(props.subnetIds));
    this.schedule = new SchedulerSchedule(this, 'schedule', {
      name: model.scheduleName,
      scheduleExpression: model.expression,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: `arn:${props.partition}:scheduler:::aws-sdk:ecs:runTask`,
        roleArn: this.role.arn,
        input,
        // A missed run is not retried into the next one's window.
        retryPolicy: { maximumRetryAttempts: 0 },
      },
    });
  }
}
