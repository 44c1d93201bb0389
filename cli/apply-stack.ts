import { join } from 'node:path';
import { TerraformCli, type RunResult } from '../controller/runner.ts';
import { errorMessage } from '../controller/redact.ts';

const TIMEOUT_MS = 30 * 60_000;

/**
 * Applies a synthesized stack in `dir` with the caller's credentials (AWS_* of this shell): init, plan, then that
 * plan. A plan that would destroy or replace anything is not applied: in an account's bootstrap that is never
 * routine, so a person reviews it with terraform in `dir`. Ctrl-C stops terraform cleanly (SIGINT).
 */
export async function applyStack(dir: string, log: (line: string) => void): Promise<void> {
  const terraform = new TerraformCli({ homeDir: join(dir, '.terrace-terraform'), providerMirror: process.env.TERRACE_PROVIDER_MIRROR || undefined });
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  try {
    const run = { timeoutMs: TIMEOUT_MS, signal: abort.signal };
    succeeded('init', await terraform.init(dir, run));
    const plan = succeeded('plan', await terraform.plan(dir, 'bootstrap.tfplan', run));
    const changes = plan.changes ?? { add: 0, change: 0, remove: 0 };
    log(`plan: ${changes.add} to add, ${changes.change} to change, ${changes.remove} to destroy`);
    if (changes.remove > 0) {
      throw new Error(`the plan destroys ${changes.remove} resource(s): not applied. Review it with \`terraform -chdir=${dir} show bootstrap.tfplan\` and apply it by hand if intended`);
    }
    if (!plan.changes) return log('nothing to apply: the account is bootstrapped already');
    succeeded('apply', await terraform.apply(dir, 'bootstrap.tfplan', run));
    log(`applied; keep ${join(dir, 'terraform.tfstate')}: it is the state of this account's bootstrap`);
  } finally {
    process.removeListener('SIGINT', stop);
  }
}

function succeeded<R extends RunResult>(step: string, result: R): R {
  if (result.code === 0) return result;
  if (result.cancelled) throw new Error(`terraform ${step} was interrupted`);
  if (result.timedOut) throw new Error(`terraform ${step} took longer than ${TIMEOUT_MS / 60_000} minutes and was stopped`);
  const errors = result.parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.summary, d.detail].filter(Boolean).join(': '));
  throw new Error(`terraform ${step} failed: ${errorMessage(errors.join('\n') || result.stderr || `exit code ${result.code}`)}`);
}
