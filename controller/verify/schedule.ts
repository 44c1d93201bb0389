import { findCondition } from '../../specs/conditions.ts';
import { parseInterval } from '../../specs/environment.ts';
import { ANNOTATIONS } from '../../specs/meta.ts';
import type { EnvironmentStatus } from '../../specs/status.ts';
import type { StoredEnvironment } from '../../specs/store/types.ts';

export interface VerifyFacts {
  env: StoredEnvironment;
  status: EnvironmentStatus;
  /** The compute or frontend tier applied changes in this pass. */
  applied: boolean;
  now: number;
}

/**
 * A pure function: whether spec.verify runs in this pass, and when the next periodic run is due. It runs after
 * compute or frontend applied (in this pass, or since the last run), on request (verify or reconcile now), while Verified is not
 * True (a failure is retried with the queue's backoff), and every drift-detection interval.
 */
export function verificationDue({ env, status, applied, now }: VerifyFacts): { due: boolean; stale: boolean; nextMs?: number } {
  if (!env.spec.verify) return { due: false, stale: false };
  const last = status.verification;
  // stale: the last run does not describe what is deployed now (or did not pass).
  if (applied || !last || last.observedGeneration !== env.metadata.generation) return { due: true, stale: true };
  if (findCondition(status.conditions, 'Verified')?.status !== 'True') return { due: true, stale: true };
  const ranAt = Date.parse(last.ranAt);
  // compute or frontend applied since (a drift correction at the same generation whose verification did not run then)
  const appliedSince = (['compute', 'frontend'] as const).some((t) => Date.parse(status.tiers[t]?.lastAppliedAt ?? '') > ranAt);
  if (appliedSince) return { due: true, stale: true };
  const annotations = env.metadata.annotations ?? {};
  const requested = [ANNOTATIONS.verifyRequestedAt, ANNOTATIONS.requestedAt].map((k) => Date.parse(annotations[k] ?? ''));
  if (requested.some((at) => at > ranAt)) return { due: true, stale: false };
  const { enabled, interval } = env.spec.driftDetection;
  if (!enabled) return { due: false, stale: false };
  const dueAt = ranAt + parseInterval(interval);
  return now >= dueAt ? { due: true, stale: false } : { due: false, stale: false, nextMs: Math.max(dueAt - now, 1_000) };
}
