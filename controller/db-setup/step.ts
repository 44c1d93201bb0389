import { createHash } from 'node:crypto';
import { findCondition, isTrue, removeCondition } from '../../specs/conditions.ts';
import type { EnvironmentStatus, TierStatus } from '../../specs/status.ts';
import type { StoredEnvironment, StoredTarget } from '../../specs/store/types.ts';
import type { Clock } from '../clock.ts';
import { isBug, TierError } from '../errors.ts';
import { errorMessage } from '../redact.ts';
import { setTierConditions } from '../tier-conditions.ts';
import type { EventDraft } from '../tier-record.ts';
import { EcsTaskRunner, ecsClientFor } from './ecs-runner.ts';
import { createdExtensions, setupSql } from './sql.ts';
import { TaskRunError, type SetupTask, type TaskRunner } from './task-runner.ts';

/** The runner for a Target's tasks; none where there is no ECS (the `local` target). */
export type TaskRunners = (target: StoredTarget, environment: string) => TaskRunner | undefined;

export interface DatabaseSetupDeps {
  clock: Clock;
  /** Default: ECS (assuming the Target's role) for aws targets, none for local. */
  taskRunners?: TaskRunners;
}

export interface DatabaseSetupJob {
  env: StoredEnvironment;
  target: StoredTarget;
  /** The pass's status: the data tier's entry is replaced here; the pass writes it. */
  status: EnvironmentStatus;
  generation: number;
  signal: AbortSignal;
  event: (e: EventDraft) => Promise<void>;
}

export const defaultTaskRunners = (clock: Clock): TaskRunners => (target, environment) =>
  target.spec.provider === 'aws' ? new EcsTaskRunner({ client: ecsClientFor(target, environment), clock }) : undefined;

/** The SQL's variable in the setup container (the task definition's command reads it). */
const SQL_VAR = 'SETUP_SQL';

/** What a setup run is for: the SQL, the task that runs it and the cluster it runs against. */
export function setupPlan(env: StoredEnvironment, outputs: Record<string, unknown>): { sql: string; hash: string; task: SetupTask } | { missing: string[] } {
  const needed = ['postgresDatabase', 'postgresAppUser', 'postgresClusterResourceId', 'dbSetupClusterArn', 'dbSetupTaskDefinitionArn', 'dbSetupContainer', 'dbSetupSubnetIds', 'dbSetupSecurityGroupId'];
  const missing = needed.filter((k) => outputs[k] === undefined);
  if (missing.length > 0) return { missing };
  const str = (k: string) => String(outputs[k]);
  const sql = setupSql({ database: str('postgresDatabase'), appUser: str('postgresAppUser'), extensions: env.spec.data?.postgres?.extensions ?? [] });
  const task: SetupTask = {
    clusterArn: str('dbSetupClusterArn'),
    taskDefinitionArn: str('dbSetupTaskDefinitionArn'),
    container: str('dbSetupContainer'),
    subnetIds: (outputs.dbSetupSubnetIds as unknown[]).map(String),
    securityGroupIds: [str('dbSetupSecurityGroupId')],
    environment: { [SQL_VAR]: sql },
    startedBy: `terrace/${env.metadata.name}`,
  };
  // A replaced cluster is a new, empty database: it needs the setup again even with the same SQL.
  const hash = createHash('sha256').update(JSON.stringify([sql, task.taskDefinitionArn, str('postgresClusterResourceId')])).digest('hex');
  return { sql, hash, task };
}

/**
 * After the data tier applies: runs the setup task when its inputs changed since the last success (or it never
 * succeeded), and shows the outcome as the data tier's DatabaseReady condition. Returns the failure, if any, for
 * the pass to count as the tier's (retried with backoff); nothing runs while the tier is not Ready.
 */
export async function setUpDatabase(deps: DatabaseSetupDeps, job: DatabaseSetupJob): Promise<TierError | undefined> {
  const { env, status } = job;
  const tier = status.tiers.data;
  if (!tier) return undefined;
  if (!env.spec.data?.postgres) {
    const { databaseSetup: _gone, ...rest } = tier;
    status.tiers.data = { ...rest, conditions: removeCondition(tier.conditions, 'DatabaseReady') };
    return undefined;
  }
  if (!isTrue(tier.conditions, 'Ready') || !tier.outputs) return undefined;
  const plan = setupPlan(env, tier.outputs);
  if ('missing' in plan) {
    // An older terrace applied this tier: the next apply of the current stack adds them.
    set(deps, job, { DatabaseReady: ['Unknown', 'OutputsMissing', `the data tier has no ${plan.missing.join(', ')} output yet`] });
    return undefined;
  }
  const ready = findCondition(tier.conditions, 'DatabaseReady');
  if (tier.databaseSetup?.hash === plan.hash && ready?.status === 'True') {
    // Still true of the new generation: say so (no transition), as every condition does.
    if (ready.observedGeneration !== job.generation) set(deps, job, { DatabaseReady: ['True', ready.reason, ready.message] });
    return undefined;
  }

  const extensions = createdExtensions(env.spec.data.postgres.extensions);
  const what = `user ${String(tier.outputs.postgresAppUser)}${extensions.length ? `, extensions ${extensions.join(', ')}` : ''}`;
  const runner = (deps.taskRunners ?? defaultTaskRunners(deps.clock))(job.target, env.metadata.name);
  const ranAt = new Date(deps.clock.now()).toISOString();
  if (!runner) {
    set(deps, job, { DatabaseReady: ['True', 'NotApplicable', `the ${job.target.metadata.name} target runs no database: the setup (${what}) runs on AWS targets only`] }, { hash: plan.hash, ranAt });
    return undefined;
  }

  const started = deps.clock.now();
  let message: string;
  let taskArn: string | undefined;
  try {
    // A runner serves one run.
    const outcome = await runner.run(plan.task, job.signal).finally(() => runner.close?.());
    taskArn = outcome.taskArn;
    if (outcome.exitCode === 0) {
      const done = `task ${taskId(outcome.taskArn)} set up ${what}`;
      set(deps, job, { DatabaseReady: ['True', 'SetUp', done] }, { hash: plan.hash, taskArn: outcome.taskArn, ranAt });
      await job.event({ tier: 'data', action: 'database-setup', outcome: 'Succeeded', message: done, durationMs: deps.clock.now() - started });
      return undefined;
    }
    message = `task ${taskId(outcome.taskArn)} ${outcome.exitCode === undefined ? 'stopped before psql ran' : `exited ${outcome.exitCode}`}${outcome.reason ? ` (${outcome.reason})` : ''}`;
  } catch (err) {
    // A cancelled pass writes nothing; a bug reaches the controller as it was thrown.
    if (job.signal.aborted || isBug(err) || !(err instanceof Error)) throw err;
    // The rest is AWS saying no (credentials, RunTask, DescribeTasks) or the run's own bounds.
    taskArn = err instanceof TaskRunError ? err.taskArn : undefined;
    message = `the setup task ${err instanceof TaskRunError && err.reason !== 'StartFailed' ? 'did not finish' : 'did not start'}: ${err.message}`;
  }
  const logs = tier.outputs.dbSetupLogGroup ? `; psql's output is in ${String(tier.outputs.dbSetupLogGroup)}${taskArn ? ` (stream db-setup/${plan.task.container}/${taskId(taskArn)})` : ''}` : '';
  const text = errorMessage(`${message}${logs}`);
  set(deps, job, { DatabaseReady: ['False', 'SetupFailed', text] });
  await job.event({ tier: 'data', action: 'database-setup', outcome: 'Failed', message: text, durationMs: deps.clock.now() - started });
  return new TierError('DatabaseSetupFailed', text);
}

function set(deps: DatabaseSetupDeps, job: DatabaseSetupJob, conds: Parameters<typeof setTierConditions>[3], setup?: TierStatus['databaseSetup']): void {
  const tier = job.status.tiers.data;
  const next = setTierConditions(tier, job.generation, new Date(deps.clock.now()), conds);
  job.status.tiers.data = setup ? { ...next, databaseSetup: setup } : next;
}

const taskId = (arn: string) => arn.split('/').at(-1)!;
