import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT, run } from './exit-codes.ts';

interface SynthOptions {
  file: string;
  out: string;
}

// `terrace control-plane synth -f control-plane.yaml --out DIR`: the stack that runs terrace itself on ECS.
export function registerControlPlane(program: Command): void {
  program
    .command('control-plane')
    .description("terrace's own stack in its management account")
    .command('synth')
    .description('synthesize the control plane stack from a ControlPlane document into <out>/cdk.tf.json (exit 1: invalid input, 2: guardrail violation)')
    .requiredOption('-f, --file <path>', 'YAML or JSON file with one ControlPlane document')
    .option('-o, --out <dir>', 'output directory', 'control-plane.out')
    .action(run(synth));
}

async function synth({ file, out }: SynthOptions): Promise<number> {
  const { loadDocuments } = await import('../specs/load.ts');
  const { parseControlPlane, ValidationError } = await import('../specs/validate.ts');
  let docs;
  try {
    docs = loadDocuments(readFileSync(file, 'utf8'), file, parseControlPlane);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    for (const p of err.problems) console.error(`error: ${p.path}: ${p.message}`);
    return EXIT.failed;
  }
  if (docs.length !== 1) throw new Error(`${file}: expected one ControlPlane document, found ${docs.length}`);
  // Loaded only now: synthesis pulls in cdktf and the provider bindings.
  const { synthesizeControlPlane } = await import('../constructs/control-plane/index.ts');
  const result = synthesizeControlPlane(docs[0]);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'cdk.tf.json'), result.json);
  for (const v of result.violations) console.error(`  ${v.rule} ${v.address}: ${v.message}`);
  if (result.violations.length > 0) return EXIT.guardrail;
  console.log(`${join(out, 'cdk.tf.json')}: guardrails passed`);
  console.log(`task role (for terrace bootstrap target --control-plane-role): ${result.taskRoleArn}`);
  return EXIT.ok;
}
