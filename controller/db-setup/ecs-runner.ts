import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { StoredTarget } from '../../specs/store/types.ts';
import type { Clock } from '../clock.ts';
import { isBug } from '../errors.ts';
import { TaskRunError, type SetupTask, type TaskOutcome, type TaskRunner } from './task-runner.ts';

export interface EcsTaskRunnerOptions {
  readonly client: Pick<ECSClient, 'send' | 'destroy'>;
  readonly clock: Clock;
  /** Between DescribeTasks calls. */
  readonly pollMs?: number;
  /** From RunTask to STOPPED: image pull, ENI, secrets and the SQL itself. */
  readonly timeoutMs?: number;
}

export const DB_SETUP_POLL_MS = 5_000;
export const DB_SETUP_TIMEOUT_MS = 10 * 60_000;

/**
 * ECS through the SDK, with credentials from assuming the Target's role with its external id (as terraform's
 * provider does). The role needs ecs:RunTask on the setup task definition, ecs:DescribeTasks and ecs:StopTask,
 * and iam:PassRole on the task's execution role.
 */
export function ecsClientFor(target: StoredTarget, environment: string): ECSClient {
  const { region, roleArn, externalId } = target.spec;
  if (!region || !roleArn) throw new Error(`target ${target.metadata.name} lacks region or roleArn`);
  return new ECSClient({
    region,
    credentials: fromTemporaryCredentials({
      params: { RoleArn: roleArn, ExternalId: externalId, RoleSessionName: `terrace-${environment}-db-setup`.slice(0, 64), DurationSeconds: 900 },
      clientConfig: { region },
    }),
  });
}

/** RunTask, then DescribeTasks on the injected clock until the task is STOPPED; StopTask on timeout or abort. */
export class EcsTaskRunner implements TaskRunner {
  private readonly pollMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: EcsTaskRunnerOptions) {
    this.pollMs = options.pollMs ?? DB_SETUP_POLL_MS;
    this.timeoutMs = options.timeoutMs ?? DB_SETUP_TIMEOUT_MS;
  }

  async run(task: SetupTask, signal: AbortSignal): Promise<TaskOutcome> {
    const { client, clock } = this.options;
    signal.throwIfAborted();
    const deadline = clock.now() + this.timeoutMs;
    const started = await client.send(new RunTaskCommand({
      cluster: task.clusterArn,
      taskDefinition: task.taskDefinitionArn,
      launchType: 'FARGATE',
      count: 1,
      startedBy: task.startedBy.slice(0, 36),
      networkConfiguration: { awsvpcConfiguration: { subnets: [...task.subnetIds], securityGroups: [...task.securityGroupIds], assignPublicIp: 'DISABLED' } },
      overrides: { containerOverrides: [{ name: task.container, environment: Object.entries(task.environment).map(([name, value]) => ({ name, value })) }] },
    }), { abortSignal: signal });
    const taskArn = started.tasks?.[0]?.taskArn;
    if (!taskArn) {
      const failure = started.failures?.map((f) => [f.reason, f.detail].filter(Boolean).join(': ')).join('; ');
      throw new TaskRunError('StartFailed', `RunTask started no task${failure ? `: ${failure}` : ''}`);
    }
    for (;;) {
      const wait = Math.min(this.pollMs, deadline - clock.now());
      if (wait <= 0) return this.stop(task, taskArn, 'Timeout', `did not stop within ${Math.round(this.timeoutMs / 1000)} s`);
      if (!(await delay(clock, wait, signal))) return this.stop(task, taskArn, 'Cancelled', 'cancelled (shutdown or lost lease)');
      // A task that cannot be followed is stopped: a retry must not find the last run still at its SQL.
      const described = await client.send(new DescribeTasksCommand({ cluster: task.clusterArn, tasks: [taskArn] })).catch((err: unknown) => {
        if (isBug(err) || !(err instanceof Error)) throw err;
        return this.stop(task, taskArn, 'Lost', `could not be followed: ${err.name}: ${err.message}`);
      });
      const current = described.tasks?.[0];
      if (current?.lastStatus === 'STOPPED') return outcome(taskArn, current, task.container);
    }
  }

  close(): void {
    this.options.client.destroy();
  }

  private async stop(task: SetupTask, taskArn: string, reason: 'Timeout' | 'Cancelled' | 'Lost', message: string): Promise<never> {
    // Best effort: the task must not go on running SQL nobody waits for; a failed stop changes nothing here.
    await this.options.client.send(new StopTaskCommand({ cluster: task.clusterArn, task: taskArn, reason: `terrace: ${message}`.slice(0, 255) })).catch(() => undefined);
    throw new TaskRunError(reason, `task ${taskArn} ${message}`, taskArn);
  }
}

function outcome(taskArn: string, task: Task, container: string): TaskOutcome {
  const c = task.containers?.find((x) => x.name === container);
  const reason = [task.stopCode, task.stoppedReason, c?.reason].filter(Boolean).join(': ');
  return { taskArn, ...(c?.exitCode !== undefined ? { exitCode: c.exitCode } : {}), ...(reason ? { reason } : {}) };
}

/** Resolves true after `ms` on the clock, or false as soon as `signal` aborts. */
function delay(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
