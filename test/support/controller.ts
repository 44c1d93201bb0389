import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { synthesizeTeardown, synthesizeTier } from '../../constructs/index.ts';
import type { Environment } from '../../specs/environment.ts';
import { parseEnvironment } from '../../specs/validate.ts';
import { loadDocuments } from '../../specs/load.ts';
import type { Store } from '../../specs/store/types.ts';
import { realClock, type Clock } from '../../controller/clock.ts';
import { Reconciler } from '../../controller/reconciler.ts';
import { TerraformCli, type TerraformRunner } from '../../controller/runner.ts';
import { cachedSynthesize, type Synthesize } from '../../controller/synth-cache.ts';
import { WorkDirs } from '../../controller/workdirs.ts';

export const quietLog = pino({ level: process.env.TERRACE_TEST_LOG ?? 'silent' });

/** Real terraform, recording every process it spawns as `<env>/<tier> <command>`. */
export function countingTerraform(homeDir: string): { terraform: TerraformCli; spawned: string[] } {
  const spawned: string[] = [];
  const terraform = new TerraformCli({
    homeDir,
    killGraceMs: 5_000,
    onSpawn: (dir, args) => spawned.push(`${dir.split('/').slice(-2).join('/')} ${args[0]}${args[1] === '-destroy' ? ' -destroy' : ''}`),
  });
  return { terraform, spawned };
}

export function testReconciler(options: { store: Store; dataDir: string; terraform: TerraformRunner; clock?: Clock; synthesize?: Synthesize }) {
  return new Reconciler({
    store: options.store,
    terraform: options.terraform,
    workdirs: new WorkDirs(join(options.dataDir, 'work')),
    synthesize: options.synthesize ?? cachedSynthesize(synthesizeTier),
    teardown: synthesizeTeardown,
    clock: options.clock ?? realClock,
    log: quietLog,
    timeoutMs: 120_000,
    staleLockMs: 10 * 60_000,
  });
}

/** The dev example (all five tiers, local target) under another name, with `edit` applied to its spec. */
export function devEnvironment(name = 'chat-dev', edit: (spec: any) => void = () => {}): Environment {
  const [doc] = loadDocuments(readFileSync(new URL('../../specs/examples/dev.yaml', import.meta.url), 'utf8')) as Environment[];
  const copy = structuredClone(doc);
  copy.metadata = { name, labels: doc.metadata.labels };
  edit(copy.spec);
  return parseEnvironment(copy);
}
