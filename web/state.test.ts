import { describe, expect, it } from 'vitest';
import type { Condition } from '../specs/conditions.ts';
import { countStates, environmentCell, plansAwaitingApproval, tierCell, verifiedCell, type EnvLike } from './state.ts';

const c = (type: string, status: Condition['status'], reason: string, message = '', observedGeneration = 1): Condition =>
  ({ type, status, reason, message, observedGeneration, lastTransitionTime: '2026-01-01T00:00:00.000Z' });

function env(edit: { spec?: Record<string, unknown>; tiers?: Record<string, Condition[]>; conditions?: Condition[]; generation?: number; deleting?: boolean; lastPlan?: object } = {}): EnvLike {
  const tiers = Object.fromEntries(Object.entries(edit.tiers ?? {}).map(([t, conditions]) => [t, { conditions, ...(edit.lastPlan ? { lastPlan: edit.lastPlan } : {}) }]));
  return {
    metadata: { name: 'chat-dev', generation: edit.generation ?? 1, ...(edit.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { target: 'local', network: {}, compute: {}, ...edit.spec } as EnvLike['spec'],
    status: { observedGeneration: 1, conditions: edit.conditions ?? [], tiers },
  } as EnvLike;
}

describe('tierCell', () => {
  it('reads each state from the tier\'s conditions, in words, with the reason and message as detail', () => {
    const cases: [Condition[], string, string][] = [
      [[c('Ready', 'True', 'Applied', 'applied plan p1')], 'ready', 'Applied: applied plan p1'],
      [[c('Ready', 'Unknown', 'Progressing', 'terraform is running')], 'progressing', 'Progressing: terraform is running'],
      [[c('Ready', 'False', 'PlanFailed', 'Unsupported state file format')], 'failed', 'PlanFailed: Unsupported state file format'],
      [[c('Ready', 'False', 'DependencyNotReady', 'waiting for network')], 'pending', 'DependencyNotReady: waiting for network'],
      [[c('Ready', 'True', 'Applied'), c('Drifted', 'True', 'DriftDetected', 'drift found: 1 to change')], 'drifted', 'DriftDetected: drift found: 1 to change'],
      [[c('Ready', 'False', 'AwaitingApproval', 'plan p2 awaits approval'), c('Planned', 'False', 'AwaitingApproval', 'plan p2: 3 to add')], 'awaiting-approval', 'AwaitingApproval: plan p2: 3 to add'],
      // An approved plan being applied: terraform running is what the cell says.
      [[c('Ready', 'Unknown', 'Progressing', 'terraform is running'), c('Planned', 'False', 'AwaitingApproval', 'plan p2')], 'progressing', 'Progressing: terraform is running'],
      [[c('Ready', 'False', 'Deleting', 'destroying the tier')], 'deleting', 'Deleting: destroying the tier'],
      // The stack applied, the database setup task failed: not ready for the apps.
      [[c('Ready', 'True', 'Applied'), c('DatabaseReady', 'False', 'SetupFailed', 'psql exited 3')], 'failed', 'SetupFailed: psql exited 3'],
    ];
    for (const [conditions, state, detail] of cases) {
      const got = tierCell(env({ tiers: { network: conditions } }), 'network');
      expect(got, JSON.stringify(conditions)).toMatchObject({ state, detail });
      expect(got.label).toBe(state.replace('-', ' '));
    }
  });

  it('says pending before any run, a dash for an undeclared tier, and progressing for a spec not applied yet', () => {
    expect(tierCell(env(), 'compute').state).toBe('pending');
    expect(tierCell(env(), 'data')).toMatchObject({ state: 'absent', label: '—' });
    expect(tierCell(env({ generation: 2, tiers: { network: [c('Ready', 'True', 'Applied', '', 1)] } }), 'network')).toMatchObject({ state: 'progressing', detail: expect.stringContaining('generation 2') });
    // A tier still in status once the spec dropped it is being removed, not absent.
    expect(tierCell(env({ tiers: { data: [c('Ready', 'True', 'Applied')] } }), 'data').state).toBe('progressing');
  });

  it('puts deletion, then suspension, before what the conditions say', () => {
    const failed = { network: [c('Ready', 'False', 'ApplyFailed', 'boom')] };
    expect(tierCell(env({ tiers: failed, spec: { suspend: true } }), 'network')).toMatchObject({ state: 'suspended', detail: expect.stringContaining('ApplyFailed: boom') });
    expect(tierCell(env({ tiers: failed, spec: { suspend: true }, deleting: true }), 'network')).toMatchObject({ state: 'deleting', detail: 'ApplyFailed: boom' });
    expect(tierCell(env({ deleting: true }), 'compute').state).toBe('deleting');
  });
});

describe('verifiedCell', () => {
  it('follows the Verified condition; a dash without spec.verify', () => {
    expect(verifiedCell(env()).state).toBe('absent');
    const verify = { verify: { baseUrl: 'https://x' } };
    expect(verifiedCell(env({ spec: verify })).state).toBe('pending');
    expect(verifiedCell(env({ spec: verify, conditions: [c('Verified', 'True', 'ChecksPassed', '3 checks')] }))).toMatchObject({ state: 'ready', detail: 'ChecksPassed: 3 checks' });
    expect(verifiedCell(env({ spec: verify, conditions: [c('Verified', 'Unknown', 'Queued', 'no slot')] })).state).toBe('progressing');
    expect(verifiedCell(env({ spec: verify, conditions: [c('Verified', 'False', 'WrongReply', '/healthz said 500')] }))).toMatchObject({ state: 'failed', detail: 'WrongReply: /healthz said 500' });
  });
});

describe('environmentCell and countStates', () => {
  const ready = [c('Ready', 'True', 'Applied')];
  it('sums the tiers up: failed over awaiting over drifted; ready only at the current generation', () => {
    const all = { network: ready, compute: ready };
    expect(environmentCell(env({ tiers: all, conditions: [c('Ready', 'True', 'Succeeded')] })).state).toBe('ready');
    expect(environmentCell(env({ generation: 2, tiers: all, conditions: [c('Ready', 'True', 'Succeeded')] })).state).toBe('progressing');
    expect(environmentCell(env({ tiers: { network: ready, compute: [c('Ready', 'False', 'ApplyFailed')] } })).state).toBe('failed');
    expect(environmentCell(env({ tiers: { network: [c('Ready', 'False', 'AwaitingApproval'), c('Planned', 'False', 'AwaitingApproval')] } })).state).toBe('awaiting-approval');
    expect(environmentCell(env({ tiers: { network: [...ready, c('Drifted', 'True', 'DriftDetected')], compute: ready } })).state).toBe('drifted');
    expect(environmentCell(env({ conditions: [c('Stalled', 'True', 'InvalidSpec')] })).state).toBe('failed');
    expect(environmentCell(env()).state).toBe('pending');
    expect(environmentCell(env({ spec: { suspend: true } })).state).toBe('suspended');
    expect(environmentCell(env({ deleting: true, spec: { suspend: true } })).state).toBe('deleting');
  });

  it('counts every state, zeros included', () => {
    const counts = countStates([env(), env({ spec: { suspend: true } }), env({ spec: { suspend: true } })]);
    expect(counts).toMatchObject({ pending: 1, suspended: 2, ready: 0, failed: 0 });
  });

  it('lists the plans awaiting approval with their change counts', () => {
    const waiting = env({ tiers: { network: [c('Planned', 'False', 'AwaitingApproval')], compute: [c('Planned', 'True', 'PlannedWithChanges')] }, lastPlan: { id: 'network-abc', add: 3, change: 1, destroy: 0 } });
    expect(plansAwaitingApproval(waiting)).toEqual([{ tier: 'network', id: 'network-abc', add: 3, change: 1, destroy: 0 }]);
  });
});
