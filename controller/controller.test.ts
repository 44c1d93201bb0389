import { afterEach, describe, expect, it } from 'vitest';
import { isTrue } from '../specs/conditions.ts';
import type { Store } from '../specs/store/types.ts';
import { countingTerraform, devEnvironment, quietLog, testReconciler } from '../test/support/controller.ts';
import { openTestStore, tempDir } from '../test/support/store.ts';
import { Controller } from './controller.ts';
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

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not done within ${timeoutMs} ms`);
}

describe('Controller', () => {
  it('shares 10 environments between two replicas without applying a tier twice at once', async () => {
    store = await openTestStore();
    dir = tempDir();
    const applies: { key: string; start: number; end: number }[] = [];
    const names = Array.from({ length: 10 }, (_, i) => `shop-${i}`);
    for (const name of names) await store.create(devEnvironment(name, (s) => { delete s.data; delete s.compute; delete s.observability; }));
    for (const replica of ['replica-a', 'replica-b']) {
      const { terraform } = countingTerraform(dir.path);
      const reconciler = testReconciler({ store, dataDir: dir.path, terraform: recordingRunner(terraform, applies) });
      const controller = new Controller({ store, reconciler, log: quietLog, replicaId: replica, concurrency: 2, resync: '*/2 * * * * *', leaseTtlMs: 15_000 });
      controllers.push(controller);
      controller.start();
    }
    await until(async () => {
      const { items } = await store.list('Environment');
      return items.every((e) => isTrue(e.status.conditions, 'Ready'));
    }, 120_000);

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
    const reconciler = testReconciler({ store, dataDir: dir.path, terraform });
    // A resync far in the future: only the hint can start the work.
    const controller = new Controller({ store, reconciler, log: quietLog, replicaId: 'solo', resync: '0 0 1 1 *' });
    controllers.push(controller);
    controller.start();
    await new Promise((r) => setTimeout(r, 300));
    await store.create(devEnvironment('hinted', (s) => { delete s.data; delete s.compute; delete s.observability; delete s.frontend; }));
    controller.enqueue('hinted');
    await until(async () => isTrue((await store.get('Environment', 'hinted'))?.status.conditions, 'Ready'), 60_000);
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
    let stopCalledAt = Infinity;
    const startedAt: number[] = [];
    const reconciler = {
      reconcile: async (name: string, signal: AbortSignal) => {
        started.push(name);
        startedAt.push(performance.now());
        await new Promise((r) => { const t = setTimeout(r, 300); signal.addEventListener('abort', () => { clearTimeout(t); r(undefined); }); });
        return {};
      },
    };
    const controller = new Controller({ store, reconciler, log: quietLog, replicaId: 'solo', concurrency: 1, resync: '0 0 1 1 *' });
    controllers.push(controller);
    controller.start();
    await until(async () => started.length === 1, 10_000);
    stopCalledAt = performance.now();
    await controller.stop();
    await new Promise((r) => setTimeout(r, 400));
    expect(started).toHaveLength(1);
    expect(startedAt.every((t) => t < stopCalledAt)).toBe(true);
  });

  it('rejects a resync expression that is not cron', () => {
    const controller = new Controller({ store: undefined as never, reconciler: { reconcile: async () => ({}) }, log: quietLog, replicaId: 'x', resync: 'every 30s' });
    expect(() => controller.start()).toThrow(/TERRACE_RESYNC/);
  });
});
