import type { Tier } from '../specs/environment.ts';
import type { PlanSummary } from '../specs/status.ts';
import type { StoredEnvironment, StoredTarget } from '../specs/store/types.ts';
import { TierError } from './errors.ts';
import { clearPending, planId, PLAN_FILE, readPending, writePending } from './pending-plan.ts';
import { failure, type TierStepDeps } from './tier-step.ts';
import { sha256 } from './workdirs.ts';

/** Builds the provider-and-backend-only stack that can destroy a tier the spec may no longer describe. */
export type Teardown = (input: { environment: StoredEnvironment; target: StoredTarget; tier: Tier }) => string;

export type DestroyResult = { destroyed: true } | { destroyed: false; awaiting: PlanSummary };

/**
 * Destroys one tier with the stack that built it (the last one written here) or, on a replica that never ran
 * it, with a teardown stack (provider and state backend only: destroy works from state). With `gate`
 * given (manual approval), it stops at a destroy plan until that plan's id is among the approved.
 * Throws TierError when terraform fails; the tier stays visible.
 */
export async function destroyTier(
  deps: TierStepDeps,
  env: StoredEnvironment,
  tier: Tier,
  target: StoredTarget | undefined,
  teardown: Teardown,
  signal: AbortSignal,
  gate?: { approved: string[] },
): Promise<DestroyResult> {
  const name = env.metadata.name;
  let json = deps.workdirs.lastStack(name, tier);
  if (!json) {
    if (!target) throw new TierError('TargetNotFound', `cannot destroy ${tier}: Target ${env.spec.target} is gone and no stack is left here`);
    json = teardown({ environment: env, target, tier });
  }
  const { dir, needsInit, initKey } = deps.workdirs.prepare(name, tier, json);
  const run = { timeoutMs: deps.timeoutMs, signal };
  const hash = sha256(`destroy:${json}`);
  const pending = gate ? readPending(dir) : undefined;
  if (pending?.hash === hash && !gate?.approved.includes(pending.id)) return { destroyed: false, awaiting: pending };

  await deps.beforeRun(tier);
  if (needsInit) {
    const init = await deps.terraform.init(dir, run);
    if (init.code !== 0) throw failure('InitFailed', init);
    deps.workdirs.markInitialized(dir, initKey);
  }
  if (gate && pending?.hash !== hash) {
    const planned = await deps.terraform.planDestroy(dir, PLAN_FILE, run);
    if (planned.code !== 0) throw failure('PlanFailed', planned);
    if (planned.changes) {
      const plan = { id: await planId(dir, `${tier}-destroy`), add: 0, change: 0, destroy: planned.changes.remove };
      writePending(dir, { ...plan, hash });
      await deps.appendEvent({ tier, action: 'plan', outcome: 'Info', message: `destroy plan ${plan.id} awaits approval`, changes: plan, durationMs: planned.durationMs });
      return { destroyed: false, awaiting: plan };
    }
  } else {
    // Deletion, auto approval, or the approved destroy plan.
    const destroyed = gate ? await deps.terraform.apply(dir, PLAN_FILE, run) : await deps.terraform.destroy(dir, run);
    if (destroyed.code !== 0) {
      await deps.appendEvent({ tier, action: 'destroy', outcome: 'Failed', message: failure('DestroyFailed', destroyed).message, durationMs: destroyed.durationMs });
      throw failure('DestroyFailed', destroyed);
    }
    const removed = destroyed.parsed.changes?.remove;
    await deps.appendEvent({ tier, action: 'destroy', outcome: 'Succeeded', durationMs: destroyed.durationMs, ...(removed !== undefined ? { changes: { add: 0, change: 0, destroy: removed } } : {}) });
  }
  clearPending(dir);
  deps.workdirs.removeTier(name, tier);
  return { destroyed: true };
}
