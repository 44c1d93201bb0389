// What a resync costs per environment once everything is applied, against what it would cost without the
// hash skip and the synthesis cache: a full apply of five tiers, and an uncached five-tier synthesis.
import { synthesizeTier } from '../constructs/index.ts';
import { declaredTiers } from '../specs/environment.ts';
import { localTarget } from '../specs/target.ts';
import { countingTerraform, devEnvironment, testReconciler } from '../test/support/controller.ts';
import { openTestStore, tempDir } from '../test/support/store.ts';
import type { BenchLine } from './synth.bench.ts';

const ENVIRONMENTS = 8;
const IDLE_ROUNDS = 20;

export default async function bench(): Promise<BenchLine[]> {
  const dir = tempDir('terrace-bench-');
  const store = await openTestStore();
  try {
    const { terraform, spawned } = countingTerraform(dir.path);
    const reconciler = testReconciler({ store, dataDir: dir.path, terraform });
    const names = Array.from({ length: ENVIRONMENTS }, (_, i) => `bench-${i}`);
    for (const name of names) await store.create(devEnvironment(name));

    const applyStart = performance.now();
    for (const name of names) await reconciler.reconcile(name, new AbortController().signal);
    const apply = (performance.now() - applyStart) / ENVIRONMENTS;
    const applySpawns = spawned.length / ENVIRONMENTS;

    spawned.length = 0;
    const idleStart = performance.now();
    for (let round = 0; round < IDLE_ROUNDS; round++) for (const name of names) await reconciler.reconcile(name, new AbortController().signal);
    const idle = (performance.now() - idleStart) / (ENVIRONMENTS * IDLE_ROUNDS);

    const env = devEnvironment('bench-synth');
    const target = localTarget();
    const synthStart = performance.now();
    for (let i = 0; i < 10; i++) for (const tier of declaredTiers(env.spec)) synthesizeTier({ environment: env, target, tier });
    const synth = (performance.now() - synthStart) / 10;

    const applyLine = { name: 'first reconcile, five tiers applied with terraform (per environment)', ms: apply };
    return [
      { ...applyLine, note: `${applySpawns} terraform processes` },
      { name: 'uncached five-tier local synthesis (per environment)', ms: synth, baseline: applyLine },
      { name: 'idle reconcile pass, nothing changed (per environment)', ms: idle, baseline: applyLine, note: `${spawned.length} terraform processes in ${ENVIRONMENTS * IDLE_ROUNDS} passes` },
      { name: 'idle reconcile pass vs uncached synthesis', ms: idle, baseline: { name: 'uncached synthesis', ms: synth } },
    ];
  } finally {
    await store.close();
    dir.remove();
  }
}
