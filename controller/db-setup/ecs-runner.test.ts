import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/support/controller.ts';
import { EcsTaskRunner } from './ecs-runner.ts';
import { TaskRunError, type SetupTask } from './task-runner.ts';

// The real runner and the real SDK against a loopback server that answers ECS's JSON protocol (ECS itself cannot
// run here). Polling runs on a manual clock: the test moves time once the runner has scheduled its next poll.
type Call = { action: string; body: Record<string, any> };
const calls: Call[] = [];
let answers: Record<string, ((body: Record<string, any>) => [number, unknown])[]> = {};
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const action = String(req.headers['x-amz-target']).split('.')[1];
      const body = JSON.parse(text);
      calls.push({ action, body });
      const [code, answer] = answers[action]?.shift()?.(body) ?? [500, { __type: 'ServerException', message: `no answer for ${action}` }];
      res.writeHead(code, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer));
      onCall?.(action);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
let onCall: ((action: string) => void) | undefined;

const TASK_ARN = 'arn:aws:ecs:eu-west-1:222222222222:task/chat-prod-data-setup/0123456789abcdef';
const task: SetupTask = {
  clusterArn: 'arn:aws:ecs:eu-west-1:222222222222:cluster/chat-prod-data-setup',
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:222222222222:task-definition/chat-prod-data-db-setup:3',
  container: 'psql', subnetIds: ['subnet-a', 'subnet-b'], securityGroupIds: ['sg-svc'],
  environment: { SETUP_SQL: 'SELECT 1;' }, startedBy: 'terrace/chat-prod',
};
const running = () => [200, { tasks: [{ taskArn: TASK_ARN, lastStatus: 'RUNNING' }], failures: [] }] as [number, unknown];
const stopped = (exitCode?: number, extra: Record<string, unknown> = {}) => () =>
  [200, { tasks: [{ taskArn: TASK_ARN, lastStatus: 'STOPPED', containers: [{ name: 'psql', ...(exitCode === undefined ? {} : { exitCode }), reason: extra.containerReason }], ...extra }], failures: [] }] as [number, unknown];

/** A manual clock that also says when the runner has scheduled a wait. */
class WatchedClock extends ManualClock {
  private waiters: (() => void)[] = [];
  constructor() {
    super();
    const schedule = this.setTimeout;
    this.setTimeout = (fn: () => void, ms: number) => {
      const id = schedule(fn, ms);
      this.waiters.splice(0).forEach((w) => w());
      return id;
    };
  }
  nextWait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

function runner(clock: WatchedClock, options: { pollMs?: number; timeoutMs?: number } = {}) {
  const client = new ECSClient({ region: 'eu-west-1', endpoint, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' }, maxAttempts: 1 });
  return new EcsTaskRunner({ client, clock, pollMs: 5_000, timeoutMs: 60_000, ...options });
}

describe('EcsTaskRunner', () => {
  beforeEach(() => {
    calls.length = 0;
    answers = {};
    onCall = undefined;
  });

  it('starts the task in the private subnets with the SQL as an override, and waits on the clock until it stops', async () => {
    const clock = new WatchedClock();
    answers = { RunTask: [running], DescribeTasks: [running, stopped(0)] };
    const run = runner(clock).run(task, new AbortController().signal);
    for (let i = 0; i < 2; i++) {
      await clock.nextWait();
      clock.advance(5_000);
    }
    expect(await run).toEqual({ taskArn: TASK_ARN, exitCode: 0 });
    expect(calls.map((c) => c.action)).toEqual(['RunTask', 'DescribeTasks', 'DescribeTasks']);
    expect(calls[0].body).toEqual({
      cluster: task.clusterArn, taskDefinition: task.taskDefinitionArn, launchType: 'FARGATE', count: 1, startedBy: 'terrace/chat-prod',
      // The SDK's idempotency token: a retried RunTask starts no second task.
      clientToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-svc'], assignPublicIp: 'DISABLED' } },
      overrides: { containerOverrides: [{ name: 'psql', environment: [{ name: 'SETUP_SQL', value: 'SELECT 1;' }] }] },
    });
    expect(calls[1].body).toEqual({ cluster: task.clusterArn, tasks: [TASK_ARN] });
  });

  it('reports how a failed task ended: exit code, or ECS\'s reasons when psql never ran', async () => {
    const clock = new WatchedClock();
    answers = { RunTask: [running], DescribeTasks: [stopped(undefined, { stopCode: 'TaskFailedToStart', stoppedReason: 'ResourceInitializationError: unable to pull secrets', containerReason: 'CannotPullContainerError' })] };
    const run = runner(clock).run(task, new AbortController().signal);
    await clock.nextWait();
    clock.advance(5_000);
    expect(await run).toEqual({ taskArn: TASK_ARN, reason: 'TaskFailedToStart: ResourceInitializationError: unable to pull secrets: CannotPullContainerError' });
  });

  it('fails to start with RunTask\'s failures, and passes ECS\'s errors on', async () => {
    answers = { RunTask: [() => [200, { tasks: [], failures: [{ arn: task.clusterArn, reason: 'RESOURCE:ENI', detail: 'no free addresses' }] }], () => [400, { __type: 'AccessDeniedException', message: 'not authorized to perform ecs:RunTask' }]] };
    const r = runner(new WatchedClock());
    await expect(r.run(task, new AbortController().signal)).rejects.toMatchObject({ name: 'TaskRunError', reason: 'StartFailed', message: 'RunTask started no task: RESOURCE:ENI: no free addresses' });
    await expect(r.run(task, new AbortController().signal)).rejects.toMatchObject({ name: 'AccessDeniedException', message: 'not authorized to perform ecs:RunTask' });
  });

  it('stops a task that runs past its timeout', async () => {
    const clock = new WatchedClock();
    answers = { RunTask: [running], DescribeTasks: [running, running, running], StopTask: [() => [200, { task: { taskArn: TASK_ARN } }]] };
    const run = runner(clock, { timeoutMs: 12_000 }).run(task, new AbortController().signal);
    const settled = run.catch((e) => e);
    for (const ms of [5_000, 5_000, 2_000]) {
      await clock.nextWait();
      clock.advance(ms);
    }
    const err = await settled;
    expect(err).toBeInstanceOf(TaskRunError);
    expect(err).toMatchObject({ reason: 'Timeout', message: `task ${TASK_ARN} did not stop within 12 s`, taskArn: TASK_ARN });
    expect(calls.map((c) => c.action)).toEqual(['RunTask', 'DescribeTasks', 'DescribeTasks', 'DescribeTasks', 'StopTask']);
    expect(calls.at(-1)).toEqual({ action: 'StopTask', body: { cluster: task.clusterArn, task: TASK_ARN, reason: 'terrace: did not stop within 12 s' } });
  });

  it('stops a task it can no longer follow (DescribeTasks fails), so a retry never runs beside it', async () => {
    const clock = new WatchedClock();
    answers = { RunTask: [running], DescribeTasks: [() => [400, { __type: 'AccessDeniedException', message: 'not authorized to perform ecs:DescribeTasks' }]], StopTask: [() => [200, { task: { taskArn: TASK_ARN } }]] };
    const run = runner(clock).run(task, new AbortController().signal).catch((e) => e);
    await clock.nextWait();
    clock.advance(5_000);
    expect(await run).toMatchObject({ name: 'TaskRunError', reason: 'Lost', taskArn: TASK_ARN, message: `task ${TASK_ARN} could not be followed: AccessDeniedException: not authorized to perform ecs:DescribeTasks` });
    expect(calls.map((c) => c.action)).toEqual(['RunTask', 'DescribeTasks', 'StopTask']);
  });

  it('stops the task at once when the pass is cancelled, without waiting for the next poll', async () => {
    const clock = new WatchedClock();
    const abort = new AbortController();
    answers = { RunTask: [running], StopTask: [() => [200, { task: { taskArn: TASK_ARN } }]] };
    const stopCall = new Promise<void>((resolve) => (onCall = (action) => action === 'StopTask' && resolve()));
    const run = runner(clock).run(task, abort.signal).catch((e) => e);
    await clock.nextWait();
    abort.abort();
    await stopCall;
    expect(await run).toMatchObject({ name: 'TaskRunError', reason: 'Cancelled' });
    expect(calls.map((c) => c.action)).toEqual(['RunTask', 'StopTask']);
  });
});
