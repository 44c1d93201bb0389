import { describe, expect, it } from 'vitest';
import { synthesizeTier } from '../../index.ts';
import { awsExample, devEnvironment, FAKE_INPUTS, LOCAL_TARGET, resources, withSpec } from '../../testing/fixtures.ts';

const NIGHTLY = { name: 'cleanup', schedule: 'cron(0 3 * * ? *)', service: 'worker', command: ['sh', '-c', 'python manage.py clearsessions --tag ${RUN} %{x}'] };

describe('scheduled runs (compute.schedules)', () => {
  it('AWS: EventBridge Scheduler runs the service\'s task definition with the command, on Fargate in private subnets', () => {
    const { environment, target } = awsExample('chat-staging');
    const result = synthesizeTier({ environment: withSpec(environment, (s) => (s.compute.schedules = [NIGHTLY])), target, tier: 'compute', inputs: FAKE_INPUTS });
    expect(result.violations).toEqual([]);
    const schedule = resources(result.json, 'aws_scheduler_schedule').compute_schedule_cleanup_schedule;
    expect(schedule).toMatchObject({
      name: 'chat-staging-compute-cleanup',
      schedule_expression: 'cron(0 3 * * ? *)',
      schedule_expression_timezone: 'UTC',
      flexible_time_window: { mode: 'OFF' },
      target: { arn: 'arn:aws:scheduler:::aws-sdk:ecs:runTask', role_arn: '${aws_iam_role.compute_schedule_cleanup_role.arn}', retry_policy: { maximum_retry_attempts: 0 } },
    });
    // RunTask's request; the user's ${RUN} and %{x} stay escaped, so they reach the container literally.
    expect(schedule.target.input).toBe(JSON.stringify({
      Cluster: '${aws_ecs_cluster.compute_cluster.arn}',
      TaskDefinition: '${aws_ecs_task_definition.compute_worker_task_task_definition.arn}',
      LaunchType: 'FARGATE',
      NetworkConfiguration: { AwsvpcConfiguration: { Subnets: '@', SecurityGroups: ['sg-svc'], AssignPublicIp: 'DISABLED' } },
      Overrides: { ContainerOverrides: [{ Name: 'worker', Command: ['sh', '-c', 'python manage.py clearsessions --tag $${RUN} %%{x}'] }] },
    }).replace('"@"', '${jsonencode(["subnet-priv1", "subnet-priv2"])}'));
    const policy = JSON.parse(resources(result.json, 'aws_iam_role_policy').compute_schedule_cleanup_policy.policy).Statement;
    expect(policy).toEqual([
      { Sid: 'RunTask', Effect: 'Allow', Action: 'ecs:RunTask', Resource: '${aws_ecs_task_definition.compute_worker_task_task_definition.arn}', Condition: { ArnEquals: { 'ecs:cluster': '${aws_ecs_cluster.compute_cluster.arn}' } } },
      {
        Sid: 'PassTaskRoles', Effect: 'Allow', Action: 'iam:PassRole',
        Resource: [expect.stringMatching(/^\$\{aws_iam_role\.compute_worker_roles_execution[A-Za-z0-9_]*\.arn\}$/), expect.stringMatching(/^\$\{aws_iam_role\.compute_worker_roles_task[A-Za-z0-9_]*\.arn\}$/)],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    ]);
    expect(JSON.parse(resources(result.json, 'aws_iam_role').compute_schedule_cleanup_role.assume_role_policy).Statement[0].Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
  });

  it('AWS: no schedules, no scheduler resources', () => {
    const { environment, target } = awsExample('chat-staging');
    expect(resources(synthesizeTier({ environment, target, tier: 'compute', inputs: FAKE_INPUTS }).json, 'aws_scheduler_schedule')).toEqual({});
  });

  it('local: records the schedule, the task definition it runs and the command', () => {
    const environment = devEnvironment('chat-dev', (s) => (s.compute.schedules = [NIGHTLY]));
    const tf = resources(synthesizeTier({ environment, target: LOCAL_TARGET, tier: 'compute', inputs: FAKE_INPUTS }).json, 'terraform_data');
    expect(tf.compute_schedule_cleanup.input).toEqual({
      name: 'chat-dev-compute-cleanup',
      schedule_expression: 'cron(0 3 * * ? *)',
      timezone: 'UTC',
      cluster: '${terraform_data.compute_cluster.output.name}',
      task_definition: '${terraform_data.compute_service_worker.output.task_definition}',
      container: 'worker',
      command: ['sh', '-c', 'python manage.py clearsessions --tag $${RUN} %%{x}'],
      subnets: ['subnet-priv1', 'subnet-priv2'],
      security_groups: ['sg-svc'],
      role: 'chat-dev-compute-cleanup-sched',
    });
  });
});
