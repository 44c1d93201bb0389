import type { Logger } from 'pino';
import type { SynthesizedTier } from '../constructs/index.ts';
import { findCondition, isTrue } from '../specs/conditions.ts';
import { parseInterval, type Tier } from '../specs/environment.ts';
import { ANNOTATIONS, approvedPlans } from '../specs/meta.ts';
import type { PlanSummary, TierStatus } from '../specs/status.ts';
import type { EnvironmentEvent, StoredEnvironment } from '../specs/store/types.ts';
import { TierError } from './errors.ts';
import { clearPending, planId, PLAN_FILE, readPending, writePending } from './pending-plan.ts';
import { errorMessage } from './redact.ts';
import type { RunResult, TerraformRunner } from './runner.ts';
import { lockInfo } from './terraform-json.ts';
import { changeText, setTierConditions } from './tier-conditions.ts';
import { sha256, type WorkDirs } from './workdirs.ts';

export interface TierStepDeps {
  terraform: TerraformRunner;
  workdirs: WorkDirs;
  now: () => Date;
  log: Logger;
  timeoutMs: number;
  /** A state lock older than this cannot belong to a live run (runs time out sooner): it is force-unlocked. */
  staleLockMs: number;
  appendEvent: (event: Omit<EnvironmentEvent, 'time'>) => Promise<void>;
  /** Called once, right before this tier's first terraform process: status shows it progressing. */
  beforeRun: (tier: Tier) => Promise<void>;
}

export type TierOutcome = 'unchanged' | 'applied' | 'no-changes' | 'awaiting-approval';


/**
 * One tier, level-based: skip when the synthesized stack equals what was last applied and no drift check is
 * due; otherwise init (when needed), plan, and apply exactly that plan (or stop for approval).
 * Throws TierError; the caller writes it into the tier's conditions.
 */
export async function reconcileTier(
  deps: TierStepDeps,
  env: StoredEnvironment,
  tier: Tier,
  stack: SynthesizedTier,
  previous: TierStatus,
  signal: AbortSignal,
): Promise<{ status: TierStatus; outcome: TierOutcome; nextCheckMs?: number }> {
  const name = env.metadata.name;
  const gen = env.metadata.generation!;
  const now = deps.now();
  const hash = sha256(stack.json);
  let status: TierStatus = setTierConditions(previous, gen, now, { Synthesized: ['True', 'Synthesized', `${stack.resourceCount} resources`] });

  const drift = driftState(env, tier, previous, now);
  const upToDate = previous.lastAppliedHash === hash && isTrue(previous.conditions, 'Ready');
  if (upToDate && !drift.due) {
    status = setTierConditions(status, gen, now, { Ready: ['True', 'Applied', readyMessage(previous)] });
    return { status, outcome: 'unchanged', nextCheckMs: drift.nextCheckMs };
  }

  const { dir, needsInit, initKey } = deps.workdirs.prepare(name, tier, stack.json);
  const run = { timeoutMs: deps.timeoutMs, signal };
  const approved = approvedPlans(env.metadata.annotations);
  const pending = readPending(dir);
  const awaiting = findCondition(previous.conditions, 'Planned')?.reason === 'AwaitingApproval';
  if (awaiting && pending && pending.hash === hash && !approved.includes(pending.id)) {
    return { status, outcome: 'awaiting-approval' }; // still waiting: no new terraform run until approved or changed
  }
  await deps.beforeRun(tier);
  if (needsInit) {
    const init = await deps.terraform.init(dir, run);
    if (init.code !== 0) throw failure('InitFailed', init);
    deps.workdirs.markInitialized(dir, initKey);
  }

  let plan: PlanSummary | undefined;
  if (awaiting && pending && approved.includes(pending.id) && pending.hash === hash) {
    plan = pending; // an operator approved exactly this plan: apply it, no new plan
  } else {
    const planned = await planWithLockRecovery(deps, dir, run);
    clearPending(dir);
    if (!planned.changes) {
      const outputs = previous.lastAppliedHash === hash && previous.outputs ? previous.outputs : await deps.terraform.outputs(dir, run);
      status = {
        ...status,
        outputs,
        lastAppliedHash: hash,
        lastAppliedAt: previous.lastAppliedAt ?? now.toISOString(),
        lastCheckedAt: now.toISOString(),
      };
      status = setTierConditions(status, gen, now, {
        Planned: ['True', 'PlannedNoChanges', 'infrastructure matches the stack'],
        Applied: ['True', 'Applied', 'no changes needed'],
        Ready: ['True', 'Applied', readyMessage(status)],
        ...(drift.due ? { Drifted: ['False', 'NoDrift', 'drift check found no changes'] } : {}),
      });
      if (drift.due) await deps.appendEvent({ tier, action: 'drift-check', outcome: 'Succeeded', message: 'no drift', durationMs: planned.durationMs });
      return { status, outcome: 'no-changes', nextCheckMs: drift.intervalMs };
    }
    plan = { id: await planId(dir, tier), add: planned.changes.add, change: planned.changes.change, destroy: planned.changes.remove };
    const drifted = upToDate && drift.due;
    if (drifted) {
      status = setTierConditions(status, gen, now, { Drifted: ['True', 'DriftDetected', `drift found: ${changeText(plan)}`] });
      await deps.appendEvent({ tier, action: 'drift-check', outcome: 'Info', message: `drift found: ${changeText(plan)}`, changes: plan, durationMs: planned.durationMs });
    }
    if (env.spec.approval === 'manual') {
      writePending(dir, { ...plan, hash });
      status = setTierConditions({ ...status, lastPlan: plan }, gen, now, {
        Planned: ['False', 'AwaitingApproval', `plan ${plan.id}: ${changeText(plan)}; approve it to apply`],
        Ready: ['False', 'AwaitingApproval', `plan ${plan.id} awaits approval`],
      });
      await deps.appendEvent({ tier, action: 'plan', outcome: 'Info', message: `plan ${plan.id} awaits approval`, changes: plan, durationMs: planned.durationMs });
      return { status, outcome: 'awaiting-approval' };
    }
  }

  status = setTierConditions({ ...status, lastPlan: plan }, gen, now, { Planned: ['True', 'PlannedWithChanges', `plan ${plan.id}: ${changeText(plan)}`] });
  deps.log.info({ environment: name, tier, plan: plan.id }, `${name}: applying ${tier}: ${changeText(plan)}`);
  const applied = await deps.terraform.apply(dir, PLAN_FILE, run);
  clearPending(dir);
  if (applied.code !== 0) {
    await deps.appendEvent({ tier, action: 'apply', outcome: 'Failed', message: describe(applied), changes: plan, durationMs: applied.durationMs });
    throw failure('ApplyFailed', applied);
  }
  const outputs = await deps.terraform.outputs(dir, run);
  const at = deps.now();
  status = { ...status, outputs, lastAppliedHash: hash, lastAppliedAt: at.toISOString(), lastCheckedAt: at.toISOString() };
  const wasDrifted = findCondition(status.conditions, 'Drifted')?.status === 'True';
  status = setTierConditions(status, gen, at, {
    Applied: ['True', 'Applied', `applied plan ${plan.id}: ${changeText(plan)}`],
    Ready: ['True', 'Applied', readyMessage(status)],
    ...(wasDrifted ? { Drifted: ['False', 'DriftCorrected', `drift corrected by plan ${plan.id}`] } : {}),
  });
  await deps.appendEvent({ tier, action: 'apply', outcome: 'Succeeded', message: `applied plan ${plan.id}`, changes: plan, durationMs: applied.durationMs });
  return { status, outcome: 'applied', nextCheckMs: drift.intervalMs };
}

async function planWithLockRecovery(deps: TierStepDeps, dir: string, run: { timeoutMs: number; signal: AbortSignal }) {
  const planned = await deps.terraform.plan(dir, PLAN_FILE, run);
  if (planned.code === 0) return planned;
  const lock = lockInfo(planned.parsed.diagnostics);
  if (!lock) throw failure('PlanFailed', planned);
  const age = lock.createdAt !== undefined ? deps.now().getTime() - lock.createdAt : NaN;
  // Only a lock no live run can hold: we hold the environment's lease, and every run times out sooner.
  if (lock.id && age > deps.staleLockMs) {
    deps.log.warn({ dir, lock: lock.id, ageMs: age }, 'force-unlocking a stale terraform state lock');
    await deps.terraform.forceUnlock(dir, lock.id, run);
    const retried = await deps.terraform.plan(dir, PLAN_FILE, run);
    if (retried.code === 0) return retried;
    throw failure(lockInfo(retried.parsed.diagnostics) ? 'StateLocked' : 'PlanFailed', retried);
  }
  throw failure('StateLocked', planned);
}

function driftState(env: StoredEnvironment, tier: Tier, previous: TierStatus, now: Date) {
  const { enabled, interval } = env.spec.driftDetection;
  const intervalMs = parseInterval(interval);
  const last = previous.lastCheckedAt ?? previous.lastAppliedAt;
  // "Reconcile now" (the API's annotation) asks for a plan even when nothing changed and no check is due.
  const requested = Date.parse(env.metadata.annotations?.[ANNOTATIONS.requestedAt] ?? '');
  if (last && requested > Date.parse(last)) return { due: true, intervalMs: enabled ? intervalMs : undefined, nextCheckMs: undefined };
  if (!enabled || !last) return { due: false, intervalMs: undefined, nextCheckMs: undefined };
  // Spread checks: up to 10% extra per environment and tier, the same on every pass.
  const jitter = (parseInt(sha256(`${env.metadata.name}/${tier}`).slice(0, 8), 16) / 0xffffffff) * 0.1 * intervalMs;
  const dueAt = Date.parse(last) + intervalMs + jitter;
  return { due: now.getTime() >= dueAt, intervalMs: intervalMs + jitter, nextCheckMs: Math.max(dueAt - now.getTime(), 1_000) };
}


function readyMessage(status: TierStatus): string {
  return status.lastAppliedAt ? `applied at ${status.lastAppliedAt}` : 'applied';
}

function describe(result: RunResult): string {
  if (result.timedOut) return 'terraform timed out and was stopped';
  if (result.cancelled) return 'terraform was cancelled (shutdown or lost lease)';
  const errors = result.parsed.diagnostics.filter((d) => d.severity === 'error');
  const text = errors.length > 0 ? errors.map((d) => [d.summary, d.detail].filter(Boolean).join(': ')).join('\n') : result.stderr || `terraform exited with ${result.code}`;
  return errorMessage(text);
}

/** Maps a failed run to a TierError with terraform's own first lines. */
export function failure(reason: string, result: RunResult): TierError {
  if (result.timedOut) return new TierError('TerraformTimeout', describe(result));
  if (result.cancelled) return new TierError('Cancelled', describe(result));
  return new TierError(reason, describe(result));
}


