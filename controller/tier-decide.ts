import { findCondition, isTrue } from '../specs/conditions.ts';
import { parseInterval, type Tier } from '../specs/environment.ts';
import { ANNOTATIONS, approvedPlans } from '../specs/meta.ts';
import type { TierStatus } from '../specs/status.ts';
import type { StoredEnvironment } from '../specs/store/types.ts';
import type { PendingPlan } from './pending-plan.ts';
import { sha256 } from './workdirs.ts';

/** Everything one tier step decides on; reading it is the caller's job, so `decide` stays pure. */
export interface TierFacts {
  env: StoredEnvironment;
  tier: Tier;
  /** The tier's status as the pass holds it now. */
  status: TierStatus;
  /** sha256 of what terraform would run: the synthesized stack, or `destroy:<stack>` for a destroy. */
  stackHash: string;
  /** The plan file waiting for approval in the tier's working directory, if any. */
  pending?: PendingPlan;
  /** `present`: the spec declares the tier. `pruned`: it stopped declaring it. `deleted`: the environment goes. */
  goal: 'present' | 'pruned' | 'deleted';
  now: number;
}

/** What one tier step does. Only `skip` and `wait` start no terraform process. */
export type Decision =
  /** Applied, unchanged, no drift check due: come back in `nextCheckMs`. */
  | { action: 'skip'; nextCheckMs?: number }
  /** A plan awaits an operator's approval and is still current: nothing to run. */
  | { action: 'wait'; plan: PendingPlan }
  /** Plan the stack; with changes, apply them (`approval: auto`) or keep the plan for approval (`manual`). */
  | { action: 'plan'; approval: 'auto' | 'manual'; drift: DriftCheck; knownOutputs?: Record<string, unknown>; recheckMs?: number }
  /** Apply the pending plan an operator approved, without planning again. */
  | { action: 'apply'; plan: PendingPlan; recheckMs?: number }
  /** Plan a destroy and keep it for approval (pruning under manual approval). */
  | { action: 'plan-destroy' }
  /** Destroy the tier: the approved destroy plan when `plan` is given, else `apply -destroy` at once. */
  | { action: 'destroy'; plan?: PendingPlan };

/** `due`: this plan is (also) a drift check. `counts`: changes it finds are drift, as the stack is unchanged. */
export type DriftCheck = { due: boolean; counts: boolean };

/** The decisions that run terraform. */
export type Work = Exclude<Decision, { action: 'skip' } | { action: 'wait' }>;

export const runsTerraform = (d: Decision): d is Work => d.action !== 'skip' && d.action !== 'wait';

/** A pure function of spec, status, stack hash, pending plan and time: what this tier needs now. */
export function decide(facts: TierFacts): Decision {
  return facts.goal === 'present' ? decideApply(facts) : decideDestroy(facts);
}

function decideApply({ env, tier, status, stackHash, pending, now }: TierFacts): Decision {
  const drift = driftSchedule(env, tier, status, now);
  const upToDate = status.lastAppliedHash === stackHash && isTrue(status.conditions, 'Ready');
  if (upToDate && !drift.due) return { action: 'skip', nextCheckMs: drift.nextCheckMs };

  const awaiting = findCondition(status.conditions, 'Planned')?.reason === 'AwaitingApproval';
  if (awaiting && pending?.hash === stackHash) {
    // An operator approved exactly this plan: apply it. Otherwise it is still the plan to approve.
    if (approvedPlans(env.metadata.annotations).includes(pending.id)) return { action: 'apply', plan: pending, recheckMs: drift.intervalMs };
    return { action: 'wait', plan: pending };
  }
  const knownOutputs = status.lastAppliedHash === stackHash ? status.outputs : undefined;
  return {
    action: 'plan',
    approval: env.spec.approval === 'manual' ? 'manual' : 'auto',
    drift: { due: drift.due, counts: upToDate && drift.due },
    ...(knownOutputs ? { knownOutputs } : {}),
    recheckMs: drift.intervalMs,
  };
}

function decideDestroy({ env, stackHash, pending, goal }: TierFacts): Decision {
  // Deleting the environment, or pruning under auto approval, needs no plan to approve.
  if (goal === 'deleted' || env.spec.approval !== 'manual') return { action: 'destroy' };
  if (pending?.hash !== stackHash) return { action: 'plan-destroy' };
  return approvedPlans(env.metadata.annotations).includes(pending.id) ? { action: 'destroy', plan: pending } : { action: 'wait', plan: pending };
}

/**
 * When the tier's next drift check is due. "Reconcile now" (the requested-at annotation) makes one due at once;
 * otherwise checks come every interval plus up to 10% jitter, the same per environment and tier on every pass.
 */
export function driftSchedule(env: StoredEnvironment, tier: Tier, status: TierStatus, now: number): { due: boolean; intervalMs?: number; nextCheckMs?: number } {
  const { enabled, interval } = env.spec.driftDetection;
  const intervalMs = parseInterval(interval);
  const last = status.lastCheckedAt ?? status.lastAppliedAt;
  const requested = Date.parse(env.metadata.annotations?.[ANNOTATIONS.requestedAt] ?? '');
  if (last && requested > Date.parse(last)) return { due: true, intervalMs: enabled ? intervalMs : undefined };
  if (!enabled || !last) return { due: false };
  const jitter = (parseInt(sha256(`${env.metadata.name}/${tier}`).slice(0, 8), 16) / 0xffffffff) * 0.1 * intervalMs;
  const dueAt = Date.parse(last) + intervalMs + jitter;
  return { due: now >= dueAt, intervalMs: intervalMs + jitter, nextCheckMs: Math.max(dueAt - now, 1_000) };
}
