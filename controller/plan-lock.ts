import type { Logger } from 'pino';
import type { TierError } from './errors.ts';
import { PLAN_FILE } from './pending-plan.ts';
import type { RunOptions, RunResult, TerraformRunner } from './runner.ts';
import type { ChangeCounts } from './terraform-json.ts';
import { lockInfo } from './terraform-json.ts';
import { runFailure } from './tier-failure.ts';

type Planned = RunResult & { changes?: ChangeCounts };

/**
 * `terraform plan`, force-unlocking a state lock no live run can hold: we hold the environment's lease, and
 * every run times out before `staleLockMs`. A younger lock is StateLocked (retried with backoff).
 */
export async function planWithLockRecovery(
  deps: { terraform: TerraformRunner; log: Logger; staleLockMs: number; now: () => number },
  dir: string,
  run: RunOptions,
): Promise<Planned | { error: TierError }> {
  const planned = await deps.terraform.plan(dir, PLAN_FILE, run);
  if (planned.code === 0) return planned;
  const lock = lockInfo(planned.parsed.diagnostics);
  if (!lock) return { error: runFailure('PlanFailed', planned) };
  const age = lock.createdAt !== undefined ? deps.now() - lock.createdAt : NaN;
  if (!lock.id || !(age > deps.staleLockMs)) return { error: runFailure('StateLocked', planned) };
  deps.log.warn({ dir, lock: lock.id, ageMs: age }, 'force-unlocking a stale terraform state lock');
  await deps.terraform.forceUnlock(dir, lock.id, run);
  const retried = await deps.terraform.plan(dir, PLAN_FILE, run);
  if (retried.code === 0) return retried;
  return { error: runFailure(lockInfo(retried.parsed.diagnostics) ? 'StateLocked' : 'PlanFailed', retried) };
}
