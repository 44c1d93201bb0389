import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT, run } from './exit-codes.ts';

interface BootstrapOptions {
  file: string;
  controlPlaneRole: string;
  out: string;
  apply?: boolean;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_/-]+$/;

// `terrace bootstrap target -f target.yaml --control-plane-role <arn> --out DIR`: synthesizes the stack that
// makes one workload account ready (apply it with the account's admin credentials) and prints its Target.
export function registerBootstrap(program: Command): void {
  program
    .command('bootstrap')
    .description('prepare accounts for terrace')
    .command('target')
    .description('synthesize the bootstrap stack of a Target account into <out>/cdk.tf.json and print the Target it serves (exit 1: invalid input, 2: guardrail violation)')
    .requiredOption('-f, --file <path>', 'YAML or JSON file with one Target (provider aws, accountId, region, externalId; roleArn and stateBucket are filled in)')
    .requiredOption('--control-plane-role <arn>', "the control plane's task role: the only principal the execution role trusts")
    .option('-o, --out <dir>', 'output directory', 'bootstrap.out')
    .option('--apply', "then apply it with this shell's AWS credentials (init, plan, apply; a plan that destroys anything is not applied)")
    .action(run(bootstrap));
}

async function bootstrap({ file, controlPlaneRole, out, apply }: BootstrapOptions): Promise<number> {
  if (!ROLE_ARN.test(controlPlaneRole)) throw new Error(`--control-plane-role ${controlPlaneRole} is not an IAM role ARN`);
  const { completeTarget } = await import('../constructs/bootstrap/target.ts');
  const { loadDocuments } = await import('../specs/load.ts');
  const { parseTarget, ValidationError } = await import('../specs/validate.ts');
  let targets;
  try {
    targets = loadDocuments(readFileSync(file, 'utf8'), file, (value) => parseTarget(completeTarget(value)));
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    for (const p of err.problems) console.error(`error: ${p.path}: ${p.message}`);
    return EXIT.failed;
  }
  if (targets.length !== 1) throw new Error(`${file}: expected one Target document, found ${targets.length}`);
  const [target] = targets;
  if (!target.spec.externalId) {
    console.error(`error: ${file}: spec.externalId is required: the execution role trusts the control plane only with it. For example:\n  externalId: ${randomBytes(16).toString('hex')}`);
    return EXIT.failed;
  }
  // Loaded only now: synthesis pulls in cdktf and the provider bindings.
  const { synthesizeBootstrap } = await import('../constructs/bootstrap/index.ts');
  const result = synthesizeBootstrap(target, controlPlaneRole);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'cdk.tf.json'), result.json);
  for (const v of result.violations) console.error(`  ${v.rule} ${v.address}: ${v.message}`);
  if (result.violations.length > 0) return EXIT.guardrail;
  if (apply) {
    console.error(`${join(out, 'cdk.tf.json')}: guardrails passed; applying it in account ${target.spec.accountId}`);
    const { applyStack } = await import('./apply-stack.ts');
    await applyStack(out, (line) => console.error(line));
    console.error('register this Target:');
  } else {
    console.error(`${join(out, 'cdk.tf.json')}: guardrails passed; apply it in account ${target.spec.accountId} with its admin credentials (or run again with --apply), then register this Target:`);
  }
  const { stringify } = await import('yaml');
  process.stdout.write(stringify(result.target));
  return EXIT.ok;
}
