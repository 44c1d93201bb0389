import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCondition } from '../../specs/conditions.ts';
import type { Store, StoredEnvironment } from '../../specs/store/types.ts';
import { countingTerraform, devEnvironment, testReconciler } from '../../test/support/controller.ts';
import { openTestStore, tempDir } from '../../test/support/store.ts';
import { RetryableError } from '../errors.ts';
import type { Reconciler } from '../reconciler.ts';
import { FakeTaskRunner } from './fake-runner.ts';
import type { TaskRunners } from './step.ts';

// The database setup through real reconciles on the local target (real terraform, dynalite), with the fake task
// runner standing in for ECS: the local target has no ECS, so by default the step is recorded as not applicable.
// Network and data only: the step follows the data tier and the other tiers would only cost time.
const env = (edit: (s: Record<string, any>) => void = () => {}) => devEnvironment('chat-dev', (s) => {
  delete s.compute; delete s.frontend; delete s.observability;
  edit(s);
});

describe('the database setup step, on real reconciles', () => {
  let store: Store;
  let dir: ReturnType<typeof tempDir>;
  let now = Date.parse('2026-02-01T00:00:00Z');
  const reconcilerWith = (taskRunners?: TaskRunners): Reconciler =>
    testReconciler({ store, dataDir: dir.path, terraform: countingTerraform(dir.path).terraform, clock: { now: () => now, setTimeout, clearTimeout }, taskRunners });
  const get = async () => (await store.get('Environment', 'chat-dev')) as StoredEnvironment;
  const dataCondition = (e: StoredEnvironment, type: string) => findCondition(e.status.tiers.data?.conditions, type);
  const signal = () => new AbortController().signal;
  beforeEach(async () => {
    store = await openTestStore();
    dir = tempDir();
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('runs the SQL once as a task from the data tier\'s outputs, again when its inputs change, and shows it as DatabaseReady', async () => {
    const ecs = new FakeTaskRunner();
    const reconciler = reconcilerWith((target) => (target.metadata.name === 'local' ? ecs : undefined));
    await store.create(env());
    await reconciler.reconcile('chat-dev', signal());
    expect(ecs.started).toHaveLength(1);
    const [task] = ecs.started;
    const outputs = (await get()).status.tiers.data.outputs!;
    expect(task).toMatchObject({
      clusterArn: outputs.dbSetupClusterArn, taskDefinitionArn: outputs.dbSetupTaskDefinitionArn, container: 'psql',
      subnetIds: outputs.dbSetupSubnetIds, securityGroupIds: [outputs.dbSetupSecurityGroupId], startedBy: 'terrace/chat-dev',
    });
    expect(task.environment.SETUP_SQL).toContain('GRANT "rds_iam" TO "terrace_app";');
    expect(task.environment.SETUP_SQL).toContain('GRANT CONNECT, TEMPORARY ON DATABASE "chat_dev" TO "terrace_app";');
    expect(task.environment.SETUP_SQL.match(/CREATE EXTENSION .*;/g)).toEqual(['CREATE EXTENSION IF NOT EXISTS "pg_stat_statements";', 'CREATE EXTENSION IF NOT EXISTS "vector";']);
    let e = await get();
    expect(dataCondition(e, 'DatabaseReady')).toMatchObject({ status: 'True', reason: 'SetUp', message: expect.stringContaining('set up user terrace_app, extensions pg_stat_statements, vector'), observedGeneration: 1 });
    expect(e.status.tiers.data.databaseSetup).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/), taskArn: expect.stringContaining(':task/') });
    expect(findCondition(e.status.conditions, 'Ready')?.status).toBe('True');
    const events = (await store.listEvents('chat-dev')).items.filter((x) => x.action === 'database-setup');
    expect(events).toMatchObject([{ tier: 'data', outcome: 'Succeeded' }]);
    // The SQL (and so the setup) is nobody's business but the task's: never in status or events.
    expect(JSON.stringify(e.status)).not.toContain('CREATE');

    // Nothing changed: no second run.
    now += 60_000;
    await reconciler.reconcile('chat-dev', signal());
    expect(ecs.started).toHaveLength(1);
    // A spec change that leaves the SQL as it was: no run; the condition describes the new generation, same transition.
    await store.update(env((s) => (s.data.queues[0].visibilityTimeoutSeconds = 90)));
    await reconciler.reconcile('chat-dev', signal());
    expect(ecs.started).toHaveLength(1);
    const before = dataCondition(e, 'DatabaseReady')!;
    e = await get();
    expect(dataCondition(e, 'DatabaseReady')).toEqual({ ...before, observedGeneration: 2 });

    // A new extension: the data tier applies its parameters, then the setup runs again with the new SQL.
    await store.update(env((s) => s.data.postgres.extensions.push('pg_trgm')));
    await reconciler.reconcile('chat-dev', signal());
    expect(ecs.started).toHaveLength(2);
    expect(ecs.started[1].environment.SETUP_SQL).toContain('CREATE EXTENSION IF NOT EXISTS "pg_trgm";');
    e = await get();
    expect(dataCondition(e, 'DatabaseReady')).toMatchObject({ status: 'True', observedGeneration: 3 });
  }, 120_000);

  it('a failed run is the data tier\'s failure: DatabaseReady False with where to look, retried until it succeeds', async () => {
    const ecs = new FakeTaskRunner({ exitCode: 3, reason: 'EssentialContainerExited' }, new Error('AccessDeniedException: not authorized to perform ecs:RunTask'));
    const reconciler = reconcilerWith(() => ecs);
    await store.create(env());
    await expect(reconciler.reconcile('chat-dev', signal())).rejects.toBeInstanceOf(RetryableError);
    let e = await get();
    expect(dataCondition(e, 'DatabaseReady')).toMatchObject({ status: 'False', reason: 'SetupFailed', message: expect.stringMatching(/^task 0+1 exited 3 \(EssentialContainerExited\); psql's output is in \/terrace\/chat-dev\/db-setup \(stream db-setup\/psql\/0+1\)$/) });
    expect(findCondition(e.status.conditions, 'Ready')?.status).toBe('False');
    expect(findCondition(e.status.conditions, 'Reconciling')).toMatchObject({ reason: 'ProgressingWithRetry', message: expect.stringContaining('DatabaseSetupFailed') });
    // The data tier itself is applied and stays so: only the setup is retried.
    expect(dataCondition(e, 'Ready')?.status).toBe('True');

    await expect(reconciler.reconcile('chat-dev', signal())).rejects.toBeInstanceOf(RetryableError);
    e = await get();
    expect(dataCondition(e, 'DatabaseReady')).toMatchObject({ status: 'False', message: 'the setup task did not start: AccessDeniedException: not authorized to perform ecs:RunTask; psql\'s output is in /terrace/chat-dev/db-setup' });

    await reconciler.reconcile('chat-dev', signal());
    e = await get();
    expect(ecs.started).toHaveLength(3);
    expect(dataCondition(e, 'DatabaseReady')?.status).toBe('True');
    expect(findCondition(e.status.conditions, 'Ready')?.status).toBe('True');
    expect((await store.listEvents('chat-dev')).items.filter((x) => x.action === 'database-setup').map((x) => x.outcome).sort()).toEqual(['Failed', 'Failed', 'Succeeded']);
  }, 120_000);

  it('on the local target by default: no task, DatabaseReady True as NotApplicable; without postgres, no condition', async () => {
    const reconciler = reconcilerWith();
    await store.create(env());
    await reconciler.reconcile('chat-dev', signal());
    let e = await get();
    expect(dataCondition(e, 'DatabaseReady')).toMatchObject({ status: 'True', reason: 'NotApplicable', message: expect.stringContaining('the local target runs no database') });
    await store.update(env((s) => delete s.data.postgres));
    await reconciler.reconcile('chat-dev', signal());
    e = await get();
    expect(dataCondition(e, 'DatabaseReady')).toBeUndefined();
    expect(e.status.tiers.data.databaseSetup).toBeUndefined();
  }, 120_000);
});
