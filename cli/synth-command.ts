import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Environment } from '../specs/environment.ts';
import type { Target } from '../specs/target.ts';
import type { Problem } from '../specs/validate.ts';
import { EXIT, run } from './exit-codes.ts';


interface SynthOptions {
  file: string[];
  out: string;
}

// `terrace synth -f <file>... --out <dir>`: writes <dir>/<environment>/<tier>/cdk.tf.json.
export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('synthesize the terraform stacks of environments into <out>/<environment>/<tier>/cdk.tf.json (exit 1: invalid input, 2: guardrail violation)')
    .requiredOption('-f, --file <path...>', 'YAML or JSON files with Environment and Target documents (the local Target is implicit)')
    .option('-o, --out <dir>', 'output directory', 'cdktf.out')
    .action(run(synth));
}

async function synth({ file, out }: SynthOptions): Promise<number> {
  const loaded = await load(file);
  if ('problems' in loaded) {
    for (const p of loaded.problems) console.error(`error: ${p.path}: ${p.message}`);
    return EXIT.failed;
  }
  const { environments, targets } = loaded;
  if (environments.length === 0) {
    console.error(`error: ${file.join(', ')}: no Environment document`);
    return EXIT.failed;
  }
  // Loaded only now: synthesis pulls in cdktf and the provider bindings.
  const { synthesizeTier } = await import('../constructs/index.ts');
  const { declaredTiers } = await import('../specs/environment.ts');
  const orphans = environments.filter((e) => !targets.has(e.spec.target));
  for (const e of orphans) console.error(`error: ${e.metadata.name}: spec.target: target ${e.spec.target} is in none of the given files`);
  if (orphans.length > 0) return EXIT.failed;
  let violations = 0;
  for (const environment of environments) {
    const name = environment.metadata.name;
    const target = targets.get(environment.spec.target)!;
    for (const tier of declaredTiers(environment.spec)) {
      const result = synthesizeTier({ environment, target, tier });
      const dir = join(out, name, tier);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cdk.tf.json'), result.json);
      const verdict = result.violations.length === 0 ? 'guardrails passed' : `${result.violations.length} guardrail violation(s)`;
      console.log(`${name}/${tier}: ${result.resourceCount} resources, ${verdict}`);
      for (const v of result.violations) console.error(`  ${v.rule} ${v.address}: ${v.message}`);
      violations += result.violations.length;
    }
  }
  return violations > 0 ? EXIT.guardrail : EXIT.ok;
}

async function load(files: string[]): Promise<{ environments: Environment[]; targets: Map<string, Target> } | { problems: Problem[] }> {
  const { loadFiles } = await import('./load-files.ts');
  const { localTarget } = await import('../specs/target.ts');
  const loaded = loadFiles(files);
  if ('problems' in loaded) return loaded;
  const targets = new Map<string, Target>([['local', localTarget()]]);
  for (const d of loaded.docs) if (d.kind === 'Target') targets.set(d.metadata.name, d);
  return { environments: loaded.docs.filter((d): d is Environment => d.kind === 'Environment'), targets };
}
