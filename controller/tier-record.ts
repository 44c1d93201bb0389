import { findCondition } from '../specs/conditions.ts';
import type { Tier } from '../specs/environment.ts';
import type { PlanSummary, TierStatus } from '../specs/status.ts';
import type { EnvironmentEvent } from '../specs/store/types.ts';
import type { TierError } from './errors.ts';
import { changeText, setTierConditions } from './tier-conditions.ts';
import { planSummary } from './pending-plan.ts';
import type { Decision, TierFacts } from './tier-decide.ts';
import type { Report } from './tier-execute.ts';

export type EventDraft = Omit<EnvironmentEvent, 'time'>;
export type TierOutcome = 'unchanged' | 'awaiting-approval' | 'no-changes' | 'applied' | 'destroyed' | 'failed';

/** One tier step as it happened: what was decided and what terraform reported (empty for skip and wait). */
export interface Step {
  tier: Tier;
  goal: TierFacts['goal'];
  decision: Decision;
  report: Report;
  /** The tier's status before this step's result (with the progress the pass showed while terraform ran). */
  status: TierStatus;
  stackHash: string;
  generation: number;
  now: Date;
}

/** What the pass writes for a step: the tier's status (undefined once destroyed) and events. */
export interface Recorded {
  status?: TierStatus;
  events: EventDraft[];
  outcome: TierOutcome;
  failure?: TierError;
  nextCheckMs?: number;
}

type Conds = Parameters<typeof setTierConditions>[3];

/** A pure function: the status and events that a decided and executed tier step leaves behind. */
export function record(step: Step): Recorded {
  const d = step.decision;
  switch (d.action) {
    case 'skip':
      return { status: set(step, step.status, { Ready: ['True', 'Applied', readyMessage(step.status)] }), events: [], outcome: 'unchanged', nextCheckMs: d.nextCheckMs };
    case 'wait':
      // Waiting to apply keeps the status as it is; a destroy plan still says what it waits for.
      return step.goal === 'present' ? { status: step.status, events: [], outcome: 'awaiting-approval' } : awaitingDestroy(step, d.plan, []);
    case 'plan':
      return afterPlan(step, d);
    case 'apply':
      return afterApply(step, setPlanned(step, step.status, d.plan), [], planSummary(d.plan), d.recheckMs);
    case 'plan-destroy':
    case 'destroy':
      return afterDestroy(step);
  }
}

function afterPlan(step: Step, d: Extract<Decision, { action: 'plan' }>): Recorded {
  const { report, tier } = step;
  const plan = report.planned?.changes;
  const events: EventDraft[] = [];
  let status = step.status;
  if (report.planned && d.drift.due && (!plan || d.drift.counts)) {
    const { durationMs } = report.planned;
    if (plan) {
      status = set(step, status, { Drifted: ['True', 'DriftDetected', `drift found: ${changeText(plan)}`] });
      events.push({ tier, action: 'drift-check', outcome: 'Info', message: `drift found: ${changeText(plan)}`, changes: plan, durationMs });
    } else {
      status = set(step, status, { Drifted: ['False', 'NoDrift', 'drift check found no changes'] });
      events.push({ tier, action: 'drift-check', outcome: 'Succeeded', message: 'no drift', durationMs });
    }
  }
  if (plan && d.approval === 'manual') {
    status = set(step, { ...status, lastPlan: plan }, {
      Planned: ['False', 'AwaitingApproval', `plan ${plan.id}: ${changeText(plan)}; approve it to apply`],
      Ready: ['False', 'AwaitingApproval', `plan ${plan.id} awaits approval`],
    });
    events.push({ tier, action: 'plan', outcome: 'Info', message: `plan ${plan.id} awaits approval`, changes: plan, durationMs: report.planned!.durationMs });
    return { status, events, outcome: 'awaiting-approval' };
  }
  if (plan) return afterApply(step, setPlanned(step, status, plan), events, plan, d.recheckMs);
  if (report.failure) return failed(step, status, events);
  status = { ...status, outputs: report.outputs, lastAppliedHash: step.stackHash, lastAppliedAt: status.lastAppliedAt ?? step.now.toISOString(), lastCheckedAt: step.now.toISOString() };
  status = set(step, status, {
    Planned: ['True', 'PlannedNoChanges', 'infrastructure matches the stack'],
    Applied: ['True', 'Applied', 'no changes needed'],
    Ready: ['True', 'Applied', readyMessage(status)],
  });
  return { status, events, outcome: 'no-changes', nextCheckMs: d.recheckMs };
}

function afterApply(step: Step, planned: TierStatus, events: EventDraft[], plan: PlanSummary, recheckMs?: number): Recorded {
  const { report, tier } = step;
  if (report.applied) events.push({ tier, action: 'apply', outcome: 'Succeeded', message: `applied plan ${plan.id}`, changes: plan, durationMs: report.applied.durationMs });
  if (report.failure) return failed(step, planned, events, plan);
  const at = step.now.toISOString();
  const status = { ...planned, outputs: report.outputs, lastAppliedHash: step.stackHash, lastAppliedAt: at, lastCheckedAt: at };
  const wasDrifted = findCondition(status.conditions, 'Drifted')?.status === 'True';
  return {
    status: set(step, status, {
      Applied: ['True', 'Applied', `applied plan ${plan.id}: ${changeText(plan)}`],
      Ready: ['True', 'Applied', readyMessage(status)],
      ...(wasDrifted ? { Drifted: ['False', 'DriftCorrected', `drift corrected by plan ${plan.id}`] } : {}),
    } as Conds),
    events,
    outcome: 'applied',
    nextCheckMs: recheckMs,
  };
}

function afterDestroy(step: Step): Recorded {
  const { report, tier } = step;
  const events: EventDraft[] = [];
  if (report.failure) {
    const { step: failedStep, error, durationMs } = report.failure;
    if (failedStep === 'apply') events.push({ tier, action: 'destroy', outcome: 'Failed', message: error.message, durationMs });
    return { status: set(step, step.status, { Ready: ['False', error.reason, error.message] }), events, outcome: 'failed', failure: error };
  }
  const plan = report.planned?.changes;
  if (plan) {
    events.push({ tier, action: 'plan', outcome: 'Info', message: `destroy plan ${plan.id} awaits approval`, changes: plan, durationMs: report.planned!.durationMs });
    return awaitingDestroy(step, plan, events);
  }
  const removed = report.applied?.removed;
  if (report.applied) events.push({ tier, action: 'destroy', outcome: 'Succeeded', durationMs: report.applied.durationMs, ...(removed !== undefined ? { changes: { add: 0, change: 0, destroy: removed } } : {}) });
  return { events, outcome: 'destroyed' };
}

function awaitingDestroy(step: Step, plan: PlanSummary, events: EventDraft[]): Recorded {
  const { id, destroy } = plan;
  const status = set(step, { ...step.status, lastPlan: planSummary(plan) }, {
    Planned: ['False', 'AwaitingApproval', `destroy plan ${id}: ${destroy} to destroy; approve it to apply`],
    Ready: ['False', 'AwaitingApproval', `destroy plan ${id} awaits approval (the spec no longer declares ${step.tier})`],
  });
  return { status, events, outcome: 'awaiting-approval' };
}

/** Ready False with the failing step's reason; Planned or Applied too when that step is the one that failed. */
function failed(step: Step, status: TierStatus, events: EventDraft[], plan?: PlanSummary): Recorded {
  const { error, step: failedStep, durationMs } = step.report.failure!;
  if (failedStep === 'apply') events.push({ tier: step.tier, action: 'apply', outcome: 'Failed', message: error.message, changes: plan, durationMs });
  const condition = failedStep === 'apply' ? 'Applied' : failedStep === 'plan' ? 'Planned' : undefined;
  const conds: Conds = { Ready: ['False', error.reason, error.message] };
  if (condition) conds[condition] = ['False', error.reason, error.message];
  return { status: set(step, status, conds), events, outcome: 'failed', failure: error };
}

function setPlanned(step: Step, status: TierStatus, plan: PlanSummary): TierStatus {
  return set(step, { ...status, lastPlan: planSummary(plan) }, { Planned: ['True', 'PlannedWithChanges', `plan ${plan.id}: ${changeText(plan)}`] });
}

const set = (step: Step, status: TierStatus, conds: Conds) => setTierConditions(status, step.generation, step.now, conds);
const readyMessage = (status: TierStatus) => (status.lastAppliedAt ? `applied at ${status.lastAppliedAt}` : 'applied');
