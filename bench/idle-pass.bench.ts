// The idle resync pass at scale: N stored environments (default 1,000; TERRACE_BENCH_ENVS) whose status says
// applied and Ready, seeded straight into the store from one real apply, then resynced by the real Controller
// and Reconciler over the read cache. Figures: the first resync after seeding (every environment through a lease
// and the Reconciler: what a resync costs right after a restart) and the idle resync once they are at rest, which
// must do no synthesis, no store write and no terraform.
import { synthesizeTeardown, synthesizeTier } from '../constructs/index.ts';
import { Controller } from '../controller/controller.ts';
import { Reconciler } from '../controller/reconciler.ts';
import { cachedSynthesize } from '../controller/synth-cache.ts';
import { WorkDirs } from '../controller/workdirs.ts';
import { declaredTiers } from '../specs/environment.ts';
import { CachedStore } from '../specs/store/cached-store.ts';
import type { Store, StoredEnvironment } from '../specs/store/types.ts';
import { localTarget } from '../specs/target.ts';
import { countingTerraform, devEnvironment, quietLog, storeWith } from '../test/support/controller.ts';
import { openTestStore, tempDir } from '../test/support/store.ts';
import { describeFigure, recordFigures, type Figure } from './results.ts';
import type { BenchLine } from './synth.bench.ts';

const N = Number(process.env.TERRACE_BENCH_ENVS ?? 1000);
const IDLE_ROUNDS = 5;
/** network and frontend: two tiers keep seeding (one synthesis per tier) short; an idle pass synthesizes none. */
const twoTiers = (name: string) => devEnvironment(name, (s) => { delete s.data; delete s.compute; delete s.observability; });

export default async function bench(): Promise<BenchLine[]> {
  const dir = tempDir('terrace-bench-idle-');
  const raw = await openTestStore();
  const writes = { status: 0, events: 0, leases: 0 };
  const counted: Store = storeWith(raw, {
    updateStatus: (...a) => (writes.status++, raw.updateStatus(...a)),
    appendEvent: (...a) => (writes.events++, raw.appendEvent(...a)),
    acquireLease: (...a) => (writes.leases++, raw.acquireLease(...a)),
  });
  (counted as unknown as { cacheSource: unknown }).cacheSource = (raw as unknown as { cacheSource: () => unknown }).cacheSource.bind(raw);
  const store = CachedStore.over(counted, { pollMs: 60_000 });
  try {
    const { terraform, spawned } = countingTerraform(dir.path);
    const stacks = cachedSynthesize(synthesizeTier);
    const reconciler = new Reconciler({
      store, terraform, workdirs: new WorkDirs(`${dir.path}/work`), synthesize: stacks, teardown: synthesizeTeardown,
      clock: { now: Date.now, setTimeout, clearTimeout }, log: quietLog, timeoutMs: 120_000, staleLockMs: 600_000,
    });

    // One real apply gives the status every seeded environment starts from.
    await store.create(twoTiers('bench-template'));
    await reconciler.reconcile('bench-template', new AbortController().signal);
    const template = (await store.get('Environment', 'bench-template'))!.status;
    const target = localTarget();
    const seedStart = performance.now();
    for (let i = 0; i < N; i++) {
      const env = (await store.create(twoTiers(`bench-${i}`))) as StoredEnvironment;
      const status = structuredClone(template);
      for (const tier of declaredTiers(env.spec)) status.tiers[tier].lastAppliedHash = (await stacks.get({ environment: env, target, tier })).hash;
      status.observedGeneration = env.metadata.generation;
      await store.updateStatus(env.metadata.name, status);
    }
    const seedMs = performance.now() - seedStart;
    await store.sync();

    let completed = 0;
    let allDone: () => void = () => undefined;
    const counting = {
      reconcile: async (name: string, signal: AbortSignal) => {
        try {
          return await reconciler.reconcile(name, signal);
        } finally {
          if (++completed === N + 1) allDone();
        }
      },
    };
    const controller = new Controller({ store, reconciler: counting, log: quietLog, replicaId: 'bench', concurrency: 4, resync: '0 0 1 1 *' });
    const snapshot = () => ({ ...writes, synth: stacks.synthesized, terraform: spawned.length });
    const delta = (before: ReturnType<typeof snapshot>) => {
      const now = snapshot();
      return `${now.synth - before.synth} syntheses, ${now.status - before.status} status writes, ${now.events - before.events} events, ${now.leases - before.leases} leases, ${now.terraform - before.terraform} terraform processes`;
    };

    // The first resync: nothing is known at rest yet, so every environment goes through a lease and the Reconciler.
    const profile = await profiler();
    let before = snapshot();
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const coldStart = performance.now();
    controller.start();
    await finished;
    const coldMs = performance.now() - coldStart;
    const coldCounts = delta(before);
    await profile?.('cold-resync');

    before = snapshot();
    const idleStart = performance.now();
    for (let round = 0; round < IDLE_ROUNDS; round++) await controller.resync();
    const idleMs = (performance.now() - idleStart) / IDLE_ROUNDS;
    const idleCounts = delta(before);
    await profile?.('idle-resync');
    const heldAtRest = controller.atRest.size;
    await controller.stop();

    const figures: Figure[] = [
      {
        name: `idle resync pass, ${N} environments at rest`, value: idleMs, unit: 'ms', bench: 'idle-pass.bench.ts',
        baseline: { name: `first resync after seeding (each through a lease and the Reconciler)`, value: coldMs, unit: 'ms' },
        ratio: idleMs / coldMs, target: 'value < 1000 ms for 1,000 environments', holds: N >= 1000 ? idleMs < 1000 : undefined,
        note: `${idleCounts} in ${IDLE_ROUNDS} passes; ${heldAtRest} at rest`,
      },
      {
        name: `first resync after seeding, ${N} environments`, value: coldMs, unit: 'ms', bench: 'idle-pass.bench.ts',
        note: `${(coldMs / N).toFixed(2)} ms per environment; ${coldCounts}; seeding took ${Math.round(seedMs)} ms`,
      },
    ];
    recordFigures(figures);
    for (const f of figures) console.log(`  ${describeFigure(f)}`);
    return [];
  } finally {
    store.stop?.();
    await raw.close();
    dir.remove();
  }
}

/** With TERRACE_BENCH_PROFILE=<dir>: a CPU profile of each measured part, written as <dir>/<part>.cpuprofile. */
async function profiler(): Promise<((part: string) => Promise<void>) | undefined> {
  const dir = process.env.TERRACE_BENCH_PROFILE;
  if (!dir) return undefined;
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (part) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(`${dir}/${part}.cpuprofile`, JSON.stringify(profile));
    await session.post('Profiler.start');
  };
}
