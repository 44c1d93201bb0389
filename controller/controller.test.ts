import { afterEach, describe, expect, it } from 'vitest';
import { isTrue } from '../specs/conditions.ts';
import type { Store } from '../specs/store/types.ts';
import { capturingLog, countingTerraform, devEnvironment, ManualClock, quietLog, storeWith, testReconciler, type LogLine } from '../test/support/controller.ts';
import { openTestStore, tempDir } from '../test/support/store.ts';
import { Controller } from './controller.ts';
import type { Reconciler } from './reconciler.ts';
import type { TerraformRunner } from './runner.ts';

let store: Store;
let dir: ReturnType<typeof tempDir>;
const controllers: Controller[] = [];
afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
  await store?.close();
  dir?.remove();
});

/** Wraps a runner to record when each env/tier apply runs, across replicas. */
function recordingRunner(inner: TerraformRunner, log: { key: string; start: number; end: number }[]): TerraformRunner {
  return {
    ...inner,
    init: inner.init.bind(inner),
    plan: inner.plan.bind(inner),
    planDestroy: inner.planDestroy.bind(inner),
    outputs: inner.outputs.bind(inner),
    destroy: inner.destroy.bind(inner),
    forceUnlock: inner.forceUnlock.bind(inner),
    apply: async (d, plan, options) => {
      const start = performance.now();
      const result = await inner.apply(d, plan, options);
      log.push({ key: d.split('/').slice(-2).join('/'), start, end: performance.now() });
      return result;
    },
  };
}

/** Wraps reconcilers so a test can wait until, after some reconcile ended, `check` holds: no polling. */
function reconcileWatch() {
  const checks = new Set<() => Promise<void>>();
  const wrap = (inner: Pick<Reconciler, 'reconcile'>): Pick<Reconciler, 'reconcile'> => ({
    reconcile: async (name, signal) => {
      try {
        return await inner.reconcile(name, signal);
      } finally {
        for (const check of checks) void check();
      }
    },
  });
  const until = (check: () => Promise<boolean>) =>
    new Promise<void>((resolve, reject) => {
      const run = async () => {
        try {
          if (!checks.has(run) || !(await check())) return;
          checks.delete(run);
          resolve();
        } catch (err) {
          reject(err);
        }
      };
      checks.add(run);
    });
  return { wrap, until };
}

const allReady = async () => (await store.list('Environment')).items.every((e) => isTrue(e.status.conditions, 'Ready'));

describe('Controller', () => {
  it('shares 10 environments between two replicas without applying a tier twice at once', async () => {
    store = await openTestStore();
    dir = tempDir();
    const applies: { key: string; start: number; end: number }[] = [];
    const watch = reconcileWatch();
    const done = watch.until(allReady);
    const names = Array.from({ length: 10 }, (_, i) => `shop-${i}`);
    for (const name of names) await store.create(devEnvironment(name, (s) => { delete s.data; delete s.compute; delete s.observability; }));
    for (const replica of ['replica-a', 'replica-b']) {
      const { terraform } = countingTerraform(dir.path);
      const reconciler = watch.wrap(testReconciler({ store, dataDir: dir.path, terraform: recordingRunner(terraform, applies) }));
      const controller = new Controller({ store, reconciler, log: quietLog, replicaId: replica, concurrency: 2, resync: '*/2 * * * * *', leaseTtlMs: 15_000 });
      controllers.push(controller);
      controller.start();
    }
    await done;

    const byKey = new Map<string, { start: number; end: number }[]>();
    for (const a of applies) byKey.set(a.key, [...(byKey.get(a.key) ?? []), a]);
    for (const [key, runs] of byKey) {
      const sorted = runs.sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i].start, `${key} applied twice at once`).toBeGreaterThanOrEqual(sorted[i - 1].end);
    }
    expect(new Set(applies.map((a) => a.key))).toEqual(new Set(names.flatMap((n) => [`${n}/network`, `${n}/frontend`])));
    expect(applies).toHaveLength(20); // each tier applied exactly once
  });

  it('reconciles at once on a change hint, and stops cleanly', async () => {
    store = await openTestStore();
    dir = tempDir();
    const { terraform } = countingTerraform(dir.path);
    const watch = reconcileWatch();
    const reconciler = watch.wrap(testReconciler({ store, dataDir: dir.path, terraform }));
    // The resync at start is the first to report a queue depth: once it did, only the hint can start work.
    let resynced!: () => void;
    const firstResync = new Promise<void>((r) => (resynced = r));
    const observer = { queueDepth: () => resynced(), tierReconciled: () => {} };
    // A resync far in the future: only the hint can start the work.
    const controller = new Controller({ store, reconciler, log: quietLog, replicaId: 'solo', resync: '0 0 1 1 *', observer });
    controllers.push(controller);
    controller.start();
    await firstResync;
    await store.create(devEnvironment('hinted', (s) => { delete s.data; delete s.compute; delete s.observability; delete s.frontend; }));
    const ready = watch.until(async () => isTrue((await store.get('Environment', 'hinted'))?.status.conditions, 'Ready'));
    controller.enqueue('hinted');
    await ready;
    expect(controller.running()).toBe(true);
    await controller.stop();
    expect(controller.running()).toBe(false);
    expect(await store.acquireLease('hinted', 'someone-else', 1_000)).toBe(true); // the lease was released
  });

  it('starts no queued reconcile once stop() is called', async () => {
    store = await openTestStore();
    dir = tempDir();
    for (let i = 0; i < 6; i++) await store.create(devEnvironment(`queued-${i}`));
    const started: string[] = [];
    let running!: () => void;
    const firstStarted = new Promise<void>((r) => (running = r));
    // Works until stop() cancels it, so the other five stay queued.
    const reconciler = {
      reconcile: async (name: string, signal: AbortSignal) => {
        started.push(name);
        running();
        await new Promise((r) => signal.addEventListener('abort', r));
        return {};
      },
    };
    const controller = new Controller({ store, reconciler, log: quietLog, replicaId: 'solo', concurrency: 1, resync: '0 0 1 1 *' });
    controllers.push(controller);
    controller.start();
    await firstStarted;
    await controller.stop(); // resolves once every worker has returned: none is left to start anything later
    expect(started).toHaveLength(1);
    expect(controller.queue.depth).toBe(5); // the rest stayed queued, not started
  });

  it('logs a bug once at error level with its stack, retries it at debug only, and shows it in status', async () => {
    store = await openTestStore();
    dir = tempDir();
    await store.create(devEnvironment('buggy', (s) => { delete s.data; delete s.compute; delete s.observability; delete s.frontend; }));
    const { log, lines, next } = capturingLog();
    const clock = new ManualClock();
    const reconciler = testReconciler({
      store, dataDir: dir.path, terraform: countingTerraform(dir.path).terraform,
      synthesize: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'cidr')"); // an injected bug
      },
    });
    const controller = new Controller({ store, reconciler, log, replicaId: 'solo', resync: '0 0 1 1 *', clock });
    controllers.push(controller);
    const failure = (l: LogLine) => l.environment === 'buggy' && /reconcile failed/.test(l.msg);
    const first = next(failure);
    controller.start();
    const logged = await first;
    expect(logged).toMatchObject({ level: 50, retryInMs: 1_000, err: { type: 'TypeError', message: "Cannot read properties of undefined (reading 'cidr')" } });
    expect(logged.msg).toBe("buggy: reconcile failed unexpectedly (Cannot read properties of undefined (reading 'cidr')); retrying in 1s");
    expect(logged.err!.stack).toMatch(/TypeError[^]*\n\s+at .*controller\.test\.ts/); // the stack reaches the throw
    for (const delay of [1_000, 2_000]) {
      const again = next(failure);
      clock.advance(delay); // the backoff, on the injected clock
      expect(await again).toMatchObject({ level: 20, retryInMs: delay * 2 });
    }
    expect(lines.filter((l) => failure(l) && l.level >= 30)).toHaveLength(1);
    const tier = (await store.get('Environment', 'buggy'))!.status.tiers.network;
    expect(tier.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'InternalError', message: "TypeError: Cannot read properties of undefined (reading 'cidr')" });
  });

  it('says a store error while renewing the lease is one: tries again while the lease lasts, cancels before it lapses', async () => {
    store = await openTestStore();
    await store.create(devEnvironment('held'));
    const { log, lines, next } = capturingLog();
    const clock = new ManualClock();
    const unreachable = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:8000'));
    const failing = storeWith(store, { renewLease: unreachable, releaseLease: unreachable });
    let cancelled = false;
    let running!: () => void;
    const started = new Promise<void>((r) => (running = r));
    const reconciler = {
      reconcile: (_name: string, signal: AbortSignal) =>
        new Promise<{}>((resolve) => {
          signal.addEventListener('abort', () => { cancelled = true; resolve({}); });
          running();
        }),
    };
    const controller = new Controller({ store: failing, reconciler, log, replicaId: 'solo', resync: '0 0 1 1 *', clock, leaseTtlMs: 60_000 });
    controllers.push(controller);
    controller.start();
    await started;

    const retrying = next((l) => /renewing the lease failed/.test(l.msg));
    clock.advance(20_000); // first renewal: the lease still has 40 s, more than the next try needs
    expect(await retrying).toMatchObject({ level: 40, err: { message: 'connect ECONNREFUSED 127.0.0.1:8000' } });
    expect(cancelled).toBe(false);

    const released = next((l) => /could not release the lease/.test(l.msg));
    clock.advance(20_000); // second: the lease would lapse before a third, so the reconcile stops now
    expect(await released).toMatchObject({ level: 40, msg: expect.stringContaining('ECONNREFUSED') });
    expect(cancelled).toBe(true);
    expect(lines.find((l) => /could not be renewed before it lapses/.test(l.msg))).toMatchObject({ level: 50, err: { message: 'connect ECONNREFUSED 127.0.0.1:8000' } });
    expect(lines.some((l) => /another replica/.test(l.msg))).toBe(false); // not mistaken for a lost lease
  });

  it('cancels at once when another replica holds the lease, and says so', async () => {
    store = await openTestStore();
    await store.create(devEnvironment('taken'));
    const { log, next } = capturingLog();
    const clock = new ManualClock();
    let running!: () => void;
    const started = new Promise<void>((r) => (running = r));
    const reconciler = { reconcile: (_name: string, signal: AbortSignal) => new Promise<{}>((resolve) => { signal.addEventListener('abort', () => resolve({})); running(); }) };
    const controller = new Controller({ store: storeWith(store, { renewLease: async () => false }), reconciler, log, replicaId: 'solo', resync: '0 0 1 1 *', clock });
    controllers.push(controller);
    controller.start();
    await started;
    const lost = next((l) => /another replica holds the lease/.test(l.msg));
    clock.advance(20_000);
    expect(await lost).toMatchObject({ level: 40, environment: 'taken' });
  });

  it('rejects a resync expression that is not cron', () => {
    const controller = new Controller({ store: undefined as never, reconciler: { reconcile: async () => ({}) }, log: quietLog, replicaId: 'x', resync: 'every 30s' });
    expect(() => controller.start()).toThrow(/TERRACE_RESYNC/);
  });
});
