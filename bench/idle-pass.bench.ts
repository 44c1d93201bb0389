// The idle resync pass at scale: N stored environments (default 1,000; TERRACE_BENCH_ENVS) whose status says
// applied and Ready, seeded straight into the store from one real apply, then resynced by the real Controller
// and Reconciler over the read cache. Figures: the first resync after seeding (nothing known at rest yet: each
// environment is probed, a read and a dry pass, as right after a restart) and the idle resync once they are at
// rest, which must do no synthesis, no store write and no terraform. Then the real control plane (the bundle, `serve`) starts
// on that data directory and on an empty one: its resident memory once every environment is at rest, against empty.
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
import { fingerprintOf } from '../controller/code-fingerprint.ts';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describeFigure, recordFigures, type Figure } from './results.ts';
import type { BenchLine } from './synth.bench.ts';

const N = Number(process.env.TERRACE_BENCH_ENVS ?? 1000);
const IDLE_ROUNDS = 5;
/** network and frontend: two tiers keep seeding (one synthesis per tier) short; an idle pass synthesizes none. */
const twoTiers = (name: string) => devEnvironment(name, (s) => { delete s.data; delete s.compute; delete s.observability; });

export default async function bench(): Promise<BenchLine[]> {
  const dir = tempDir('terrace-bench-idle-');
  // The control plane runs a copy of the bundle, built now: the stack summaries carry its fingerprint, and the
  // sources others edit meanwhile do not change it.
  const app = bundleCopy(dir.path);
  const raw = await openTestStore({ dataDir: dir.path });
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
    const workdirs = new WorkDirs(`${dir.path}/work`);
    const stacks = cachedSynthesize(synthesizeTier, { disk: { dir: (e, t) => workdirs.dir(e, t), fingerprint: fingerprintOf(app, ['dist'], false) } });
    const reconciler = new Reconciler({
      store, terraform, workdirs, synthesize: stacks, teardown: synthesizeTeardown,
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
    // An environment is done once a probe found it at rest, or once its pass ended.
    const counting = {
      probe: async (name: string) => {
        const rest = await reconciler.probe(name);
        if (rest && ++completed === N + 1) allDone();
        return rest;
      },
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

    // The first resync: nothing is known at rest yet, so every environment is probed (no lease unless it would act).
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

    store.stop();
    await raw.close();
    const empty = tempDir('terrace-bench-empty-');
    const rssEmpty = await restingRss(app, empty.path, 0);
    empty.remove();
    const rssFull = await restingRss(app, dir.path, N + 1);

    const figures: Figure[] = [
      {
        name: `control-plane RSS, ${N} environments at rest`, value: rssFull.rss, unit: 'MiB', bench: 'idle-pass.bench.ts',
        baseline: { name: 'control-plane RSS, no environment', value: rssEmpty.rss, unit: 'MiB' },
        ratio: rssFull.rss / rssEmpty.rss, ...(N >= 1000 ? { target: 'value < 200 MiB with 1,000 environments', holds: rssFull.rss < 200 } : {}),
        note: `after ${RESTING_RESYNCS} resyncs with every environment at rest; peak ${rssFull.peak} MiB (empty: peak ${rssEmpty.peak} MiB); the bundle, embedded store`,
      },
      {
        name: `idle resync pass, ${N} environments at rest`, value: idleMs, unit: 'ms', bench: 'idle-pass.bench.ts',
        baseline: { name: `first resync after seeding (each probed by the Reconciler: a read and a dry pass, as after a restart)`, value: coldMs, unit: 'ms' },
        ratio: idleMs / coldMs, ...(N >= 1000 ? { target: 'value < 1000 ms with 1,000 environments', holds: idleMs < 1000 } : {}),
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
    store.stop();
    await raw.close().catch(() => undefined);
    if (process.env.TERRACE_BENCH_KEEP) console.log(`  kept ${dir.path}`);
    else dir.remove();
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

const RESTING_RESYNCS = 3;

/**
 * Starts the control plane (`serve` from the bundle) on `dataDir`, waits for the resync that finds `expected`
 * environments at rest, then RESTING_RESYNCS more (its debug line says so), and reads VmRSS: at that point and
 * the highest seen. The control plane is stopped with SIGTERM.
 */
async function restingRss(app: string, dataDir: string, expected: number): Promise<{ rss: number; peak: number }> {
  const main = `${app}/dist/main.js`;
  const child = spawn(process.execPath, [main, 'serve'], {
    env: { ...process.env, TERRACE_DATA_DIR: dataDir, PORT: '0', TERRACE_SEED_EXAMPLE: 'false', TERRACE_RESYNC: '*/2 * * * * *', TERRACE_LOG_LEVEL: 'debug', TERRACE_LOG_FORMAT: 'json', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rssOf = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  let peak = 0;
  let resting = -1;
  try {
    for await (const text of createInterface({ input: child.stdout! })) {
      peak = Math.max(peak, rssOf());
      let line: { msg?: string; atRest?: number; environments?: number };
      try {
        line = JSON.parse(text);
      } catch {
        continue;
      }
      if (!line.msg?.startsWith('resync:')) continue;
      if (resting < 0 && line.environments === expected && line.atRest === expected) resting = 0;
      else if (resting >= 0 && ++resting === RESTING_RESYNCS) return { rss: rssOf(), peak };
    }
    throw new Error(`the control plane on ${dataDir} exited (code ${child.exitCode}) before ${expected} environments were at rest`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  }
}

/** `<data>/app`: the bundle built now, with the repository's package-lock, specs and node_modules beside it. */
function bundleCopy(data: string): string {
  const root = fileURLToPath(new URL('../', import.meta.url));
  execFileSync(process.execPath, [`${root}cli/build.mjs`], { stdio: 'ignore' });
  const app = `${data}/app`;
  mkdirSync(app, { recursive: true });
  cpSync(`${root}dist`, `${app}/dist`, { recursive: true });
  cpSync(`${root}package-lock.json`, `${app}/package-lock.json`);
  cpSync(`${root}package.json`, `${app}/package.json`);
  for (const linked of ['node_modules', 'specs']) symlinkSync(`${root}${linked}`, `${app}/${linked}`);
  return app;
}
