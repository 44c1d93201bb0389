import { describe, expect, it } from 'vitest';
import type { Condition } from '../specs/conditions.ts';
import { ANNOTATIONS } from '../specs/meta.ts';
import type { TierStatus } from '../specs/status.ts';
import type { StoredEnvironment } from '../specs/store/types.ts';
import { decide, driftSchedule, type Decision, type TierFacts } from './tier-decide.ts';

const NOW = Date.parse('2026-05-01T12:00:00Z');
const HOUR = 3_600_000;
const HASH = 'a'.repeat(64);
const OLD_HASH = 'b'.repeat(64);
const at = (msBeforeNow: number) => new Date(NOW - msBeforeNow).toISOString();

function env(spec: { approval?: 'auto' | 'manual'; drift?: boolean; annotations?: Record<string, string> } = {}): StoredEnvironment {
  return {
    apiVersion: 'terrace.dev/v1alpha1',
    kind: 'Environment',
    metadata: { name: 'shop', generation: 3, ...(spec.annotations ? { annotations: spec.annotations } : {}) },
    spec: { target: 'local', suspend: false, approval: spec.approval ?? 'auto', driftDetection: { enabled: spec.drift ?? true, interval: '1h' }, network: {} as never },
    status: { conditions: [], tiers: {} },
  };
}

const condition = (type: string, status: Condition['status'], reason: string): Condition => ({ type, status, reason, message: '', lastTransitionTime: at(HOUR), observedGeneration: 3 });

/** A tier applied from HASH, Ready, last checked `checkedAgo` ms before NOW. */
const applied = (checkedAgo = 10 * 60_000, extra: Partial<TierStatus> = {}): TierStatus => ({
  conditions: [condition('Ready', 'True', 'Applied'), condition('Planned', 'True', 'PlannedNoChanges')],
  outputs: { vpcId: 'vpc-1' },
  lastAppliedHash: HASH,
  lastAppliedAt: at(2 * HOUR),
  lastCheckedAt: at(checkedAgo),
  ...extra,
});
const awaiting = (): TierStatus => ({ conditions: [condition('Ready', 'False', 'AwaitingApproval'), condition('Planned', 'False', 'AwaitingApproval')] });
const pending = (id: string, hash = HASH) => ({ id, add: 1, change: 0, destroy: 0, hash });

const facts = (f: Partial<TierFacts>): TierFacts => ({ env: env(), tier: 'network', status: { conditions: [] }, stackHash: HASH, goal: 'present', now: NOW, ...f });

const cases: [string, Partial<TierFacts>, Partial<Decision> & { action: Decision['action'] }][] = [
  ['a tier never applied is planned, and applied under auto approval', {}, { action: 'plan', approval: 'auto', drift: { due: false, counts: false } }],
  ['under manual approval its plan is kept for approval', { env: env({ approval: 'manual' }) }, { action: 'plan', approval: 'manual' }],
  ['an applied, Ready tier with the same stack and no check due is skipped', { status: applied() }, { action: 'skip' }],
  ['with drift detection off it is skipped with no check to come back for', { env: env({ drift: false }), status: applied() }, { action: 'skip', nextCheckMs: undefined }],
  ['a changed stack is planned', { status: applied(), stackHash: OLD_HASH }, { action: 'plan', drift: { due: false, counts: false } }],
  ['a tier whose last run failed is planned again', { status: applied(10 * 60_000, { conditions: [condition('Ready', 'False', 'ApplyFailed')] }) }, { action: 'plan' }],
  ['a due drift check plans an unchanged stack, reusing its outputs; what it finds is drift', { status: applied(2 * HOUR) }, { action: 'plan', drift: { due: true, counts: true }, knownOutputs: { vpcId: 'vpc-1' } }],
  ['a due check with a changed stack plans it, but changes are not drift', { status: applied(2 * HOUR), stackHash: OLD_HASH }, { action: 'plan', drift: { due: true, counts: false } }],
  ['"reconcile now" newer than the last check plans once', { env: env({ annotations: { [ANNOTATIONS.requestedAt]: at(60_000) } }), status: applied() }, { action: 'plan', drift: { due: true, counts: true } }],
  ['"reconcile now" older than the last check is already done', { env: env({ annotations: { [ANNOTATIONS.requestedAt]: at(HOUR) } }), status: applied() }, { action: 'skip' }],
  ['a plan awaiting approval, still current and not approved, is waited on', { env: env({ approval: 'manual' }), status: awaiting(), pending: pending('network-111') }, { action: 'wait', plan: pending('network-111') }],
  ['approving another plan id changes nothing', { env: env({ approval: 'manual', annotations: { [ANNOTATIONS.approvePlan]: 'network-000' } }), status: awaiting(), pending: pending('network-111') }, { action: 'wait' }],
  ['the approved plan (one id of several) is applied without planning again', { env: env({ approval: 'manual', annotations: { [ANNOTATIONS.approvePlan]: 'data-222,network-111' } }), status: awaiting(), pending: pending('network-111') }, { action: 'apply', plan: pending('network-111') }],
  ['a newer stack discards a waiting plan, approved or not', { env: env({ approval: 'manual', annotations: { [ANNOTATIONS.approvePlan]: 'network-111' } }), status: awaiting(), pending: pending('network-111', OLD_HASH) }, { action: 'plan', approval: 'manual' }],
  ['a plan file the status does not show as awaiting is not applied', { env: env({ approval: 'manual', annotations: { [ANNOTATIONS.approvePlan]: 'network-111' } }), status: { conditions: [] }, pending: pending('network-111') }, { action: 'plan' }],
  ['deleting the environment destroys at once, even under manual approval', { env: env({ approval: 'manual' }), goal: 'deleted', status: applied(), pending: pending('network-destroy-1') }, { action: 'destroy', plan: undefined }],
  ['pruning under auto approval destroys at once', { goal: 'pruned', status: applied() }, { action: 'destroy', plan: undefined }],
  ['pruning under manual approval plans the destroy first', { env: env({ approval: 'manual' }), goal: 'pruned', status: applied() }, { action: 'plan-destroy' }],
  ['a destroy plan not approved yet is waited on', { env: env({ approval: 'manual' }), goal: 'pruned', status: applied(), pending: pending('network-destroy-1') }, { action: 'wait', plan: pending('network-destroy-1') }],
  ['the approved destroy plan is applied', { env: env({ approval: 'manual', annotations: { [ANNOTATIONS.approvePlan]: 'network-destroy-1' } }), goal: 'pruned', status: applied(), pending: pending('network-destroy-1') }, { action: 'destroy', plan: pending('network-destroy-1') }],
  ['a destroy plan made for another stack is planned again', { env: env({ approval: 'manual', annotations: { [ANNOTATIONS.approvePlan]: 'network-destroy-1' } }), goal: 'pruned', status: applied(), pending: pending('network-destroy-1', OLD_HASH) }, { action: 'plan-destroy' }],
];

describe('decide (pure: spec, status, stack hash, pending plan, time)', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    const decision = decide(facts(input)) as Record<string, unknown>;
    // A key expected as undefined must be absent (or undefined) in the decision.
    const entries = Object.entries(expected);
    expect(decision).toMatchObject(Object.fromEntries(entries.filter(([, v]) => v !== undefined)));
    for (const [key] of entries.filter(([, v]) => v === undefined)) expect(decision[key], key).toBeUndefined();
  });

  it('gives the same answer for the same facts', () => {
    const input = facts({ status: applied(2 * HOUR) });
    expect(decide(input)).toEqual(decide(structuredClone(input)));
  });
});

describe('drift schedule', () => {
  it('comes back when the check is due: the interval plus up to 10% jitter, fixed per environment and tier', () => {
    const status = applied(10 * 60_000);
    const skip = decide(facts({ status })) as Extract<Decision, { action: 'skip' }>;
    expect(skip.nextCheckMs).toBeGreaterThanOrEqual(50 * 60_000);
    expect(skip.nextCheckMs).toBeLessThanOrEqual(56 * 60_000);
    // Due exactly then, and not a millisecond before.
    expect(decide(facts({ status, now: NOW + skip.nextCheckMs! })).action).toBe('plan');
    expect(decide(facts({ status, now: NOW + skip.nextCheckMs! - 1 })).action).toBe('skip');
    const tiers = ['network', 'data', 'compute', 'frontend', 'observability'] as const;
    const jitters = tiers.map((tier) => driftSchedule(env(), tier, status, NOW).nextCheckMs);
    expect(new Set(jitters).size).toBeGreaterThan(1); // spread, not every tier at once
    expect(tiers.map((tier) => driftSchedule(env(), tier, status, NOW).nextCheckMs)).toEqual(jitters);
  });

  it('never asks to come back sooner than a second', () => {
    expect(driftSchedule(env(), 'network', applied(HOUR + 6 * 60_000 - 1), NOW).nextCheckMs).toBeGreaterThanOrEqual(1_000);
  });
});
