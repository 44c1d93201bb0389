import { describe, expect, it } from 'vitest';
import { findCondition } from '../specs/conditions.ts';
import { TierError } from './errors.ts';
import type { Decision } from './tier-decide.ts';
import type { Report } from './tier-execute.ts';
import { record, type Step } from './tier-record.ts';

const NOW = new Date('2026-05-01T12:00:00Z');
const PLAN = { id: 'network-abc', add: 1, change: 0, destroy: 0 };
const plan = (over: Partial<Extract<Decision, { action: 'plan' }>> = {}): Decision => ({ action: 'plan', approval: 'auto', drift: { due: false, counts: false }, recheckMs: 3_600_000, ...over });
const step = (decision: Decision, report: Report, over: Partial<Step> = {}): Step => ({
  tier: 'network', goal: 'present', decision, report, stackHash: 'h1', generation: 4, now: NOW,
  status: { conditions: [], lastAppliedAt: '2026-04-01T00:00:00.000Z' }, ...over,
});
const cond = (r: ReturnType<typeof record>, type: string) => findCondition(r.status?.conditions, type);

describe('record (pure: what a tier step leaves in status and events)', () => {
  it('an applied plan: Ready at this generation, the hash and time recorded, one apply event', () => {
    const r = record(step(plan(), { planned: { changes: PLAN, durationMs: 5 }, applied: { plan: PLAN, durationMs: 7 }, outputs: { vpcId: 'vpc-1' } }));
    expect(r).toMatchObject({ outcome: 'applied', nextCheckMs: 3_600_000, status: { lastAppliedHash: 'h1', lastAppliedAt: NOW.toISOString(), outputs: { vpcId: 'vpc-1' }, lastPlan: PLAN } });
    expect(cond(r, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 4 });
    expect(r.events).toEqual([{ tier: 'network', action: 'apply', outcome: 'Succeeded', message: 'applied plan network-abc', changes: PLAN, durationMs: 7 }]);
  });

  it('drift found and then an apply that fails: both are kept, Drifted stays True', () => {
    const error = new TierError('ApplyFailed', 'Error: boom');
    const r = record(step(plan({ drift: { due: true, counts: true } }), { planned: { changes: PLAN, durationMs: 5 }, failure: { step: 'apply', error, durationMs: 9 } }));
    expect(r).toMatchObject({ outcome: 'failed', failure: error });
    expect(cond(r, 'Drifted')).toMatchObject({ status: 'True', reason: 'DriftDetected' });
    expect(cond(r, 'Applied')).toMatchObject({ status: 'False', reason: 'ApplyFailed' });
    expect(r.events.map((e) => `${e.action} ${e.outcome}`)).toEqual(['drift-check Info', 'apply Failed']);
    expect(r.status?.lastAppliedHash).toBeUndefined();
  });

  it('a plan cancelled mid-run (shutdown, lost lease) says so on Planned and Ready, with no event', () => {
    const r = record(step(plan(), { failure: { step: 'plan', error: new TierError('Cancelled', 'terraform was cancelled') } }));
    expect(cond(r, 'Planned')).toMatchObject({ status: 'False', reason: 'Cancelled' });
    expect(cond(r, 'Ready')).toMatchObject({ status: 'False', reason: 'Cancelled' });
    expect(r.events).toEqual([]);
  });

  it('a due drift check that finds nothing: NoDrift, one event, last check moved, last apply kept', () => {
    const r = record(step(plan({ drift: { due: true, counts: true } }), { planned: { durationMs: 3 }, outputs: {} }));
    expect(r).toMatchObject({ outcome: 'no-changes', status: { lastCheckedAt: NOW.toISOString(), lastAppliedAt: '2026-04-01T00:00:00.000Z' } });
    expect(cond(r, 'Drifted')).toMatchObject({ status: 'False', reason: 'NoDrift' });
    expect(r.events).toEqual([{ tier: 'network', action: 'drift-check', outcome: 'Succeeded', message: 'no drift', durationMs: 3 }]);
  });

  it('a plan kept for approval names its id and records one plan event', () => {
    const r = record(step(plan({ approval: 'manual' }), { planned: { changes: PLAN, durationMs: 5 } }));
    expect(r).toMatchObject({ outcome: 'awaiting-approval', status: { lastPlan: PLAN } });
    expect(cond(r, 'Ready')).toMatchObject({ status: 'False', reason: 'AwaitingApproval', message: 'plan network-abc awaits approval' });
    expect(r.events.map((e) => e.message)).toEqual(['plan network-abc awaits approval']);
  });

  it('a destroy: the tier is gone from status, one destroy event with what it removed', () => {
    const r = record(step({ action: 'destroy' }, { applied: { durationMs: 8, removed: 3 } }, { goal: 'deleted' }));
    expect(r).toEqual({ outcome: 'destroyed', events: [{ tier: 'network', action: 'destroy', outcome: 'Succeeded', durationMs: 8, changes: { add: 0, change: 0, destroy: 3 } }] });
  });

  it('a failed destroy keeps the tier, Ready False with terraform\'s words, and a Failed event', () => {
    const error = new TierError('DestroyFailed', 'Error: state is broken');
    const r = record(step({ action: 'destroy' }, { failure: { step: 'apply', error, durationMs: 4 } }, { goal: 'deleted' }));
    expect(cond(r, 'Ready')).toMatchObject({ status: 'False', reason: 'DestroyFailed', message: 'Error: state is broken' });
    expect(r.events).toEqual([{ tier: 'network', action: 'destroy', outcome: 'Failed', message: 'Error: state is broken', durationMs: 4 }]);
  });

  it('waiting on a destroy plan still says which plan, and records nothing new', () => {
    const r = record(step({ action: 'wait', plan: { ...PLAN, id: 'network-destroy-1', add: 0, destroy: 2, hash: 'h' } }, {}, { goal: 'pruned' }));
    expect(r).toMatchObject({ outcome: 'awaiting-approval', events: [], status: { lastPlan: { id: 'network-destroy-1', add: 0, change: 0, destroy: 2 } } });
    expect(r.status?.lastPlan).not.toHaveProperty('hash');
    expect(cond(r, 'Planned')?.message).toBe('destroy plan network-destroy-1: 2 to destroy; approve it to apply');
  });
});
