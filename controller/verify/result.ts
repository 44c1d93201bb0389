import type { ConditionInput } from '../../specs/conditions.ts';
import type { CheckOutcome, Verification } from '../../specs/verify.ts';
import type { EventDraft } from '../tier-record.ts';
import type { VerifyPlan } from './plan.ts';

/** What the pass writes for one run of spec.verify. */
export interface VerifyRecord {
  verification: Verification;
  condition: Omit<ConditionInput, 'observedGeneration'>;
  event: EventDraft;
  /** One reason per failed check (the metric's label). */
  failures: string[];
}

/** A pure function: the status, condition and event a run leaves behind. A plan that cannot run fails as NoEndpoint. */
export function verifyRecord(input: { plan: VerifyPlan; outcomes: CheckOutcome[]; ranAt: Date; durationMs: number; generation: number }): VerifyRecord {
  const { plan, outcomes, ranAt, durationMs, generation } = input;
  const base = { ranAt: ranAt.toISOString(), durationMs: Math.round(durationMs), observedGeneration: generation };
  if ('unavailable' in plan) {
    return {
      verification: { ...base, passed: false, checks: [] },
      condition: { type: 'Verified', status: 'False', reason: 'NoEndpoint', message: plan.unavailable },
      event: { action: 'verify', outcome: 'Failed', message: `NoEndpoint: ${plan.unavailable}`, durationMs: base.durationMs },
      failures: ['NoEndpoint'],
    };
  }
  const failed = outcomes.filter((o) => !o.passed);
  const verification = { ...base, passed: failed.length === 0, checks: outcomes };
  if (failed.length === 0) {
    const message = [`${outcomes.length} check(s) passed: ${outcomes.map(summary).join('; ')}`, ...plan.notes].join('. ');
    return {
      verification,
      condition: { type: 'Verified', status: 'True', reason: 'ChecksPassed', message },
      event: { action: 'verify', outcome: 'Succeeded', message, durationMs: base.durationMs },
      failures: [],
    };
  }
  const first = failed[0];
  const message = `${failed.length} of ${outcomes.length} check(s) failed; ${first.message}`;
  return {
    verification,
    condition: { type: 'Verified', status: 'False', reason: first.reason ?? 'CheckFailed', message },
    event: { action: 'verify', outcome: 'Failed', message: `${first.reason}: ${message}`, durationMs: base.durationMs },
    failures: failed.map((o) => o.reason ?? 'CheckFailed'),
  };
}

function summary(o: CheckOutcome): string {
  const path = new URL(o.url).pathname;
  if (o.kind !== 'websocket') return `${o.kind === 'frontend' ? 'deep link' : 'GET'} ${path} ${o.httpStatus}`;
  const rtt = o.roundTripMs ? `, round trip p50 ${o.roundTripMs.p50} ms p99 ${o.roundTripMs.p99} ms` : '';
  return `WebSocket ${path} ${o.connectionsHeld}/${o.connections} held, connect p99 ${o.connectMs?.p99} ms${rtt}`;
}
