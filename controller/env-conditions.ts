import { isTrue, setCondition, findCondition, type Condition } from '../specs/conditions.ts';
import type { Tier } from '../specs/environment.ts';
import type { EnvironmentStatus } from '../specs/status.ts';

type Summary =
  | { kind: 'ready' }
  | { kind: 'progressing'; message: string }
  | { kind: 'retrying'; reason: string; message: string }
  | { kind: 'awaiting'; message: string }
  | { kind: 'stalled'; reason: string; message: string }
  | { kind: 'suspended' };

/** Environment-level kstatus conditions (Ready, Reconciling, Stalled) from one summary of the pass. */
export function environmentConditions(list: readonly Condition[], summary: Summary, generation: number, now: Date): Condition[] {
  const set = (l: Condition[], type: string, status: Condition['status'], reason: string, message: string) =>
    setCondition(l, { type, status, reason, message, observedGeneration: generation }, now);
  let c = [...list];
  switch (summary.kind) {
    case 'ready':
      c = set(c, 'Ready', 'True', 'Succeeded', 'every tier is applied and ready');
      c = set(c, 'Reconciling', 'False', 'Succeeded', 'reconciled');
      c = set(c, 'Stalled', 'False', 'Succeeded', 'reconciled');
      return c;
    case 'progressing':
      c = set(c, 'Ready', findCondition(c, 'Ready')?.status === 'True' ? 'Unknown' : 'False', 'Progressing', summary.message);
      c = set(c, 'Reconciling', 'True', 'Progressing', summary.message);
      return c;
    case 'retrying':
      c = set(c, 'Ready', 'False', summary.reason, summary.message);
      c = set(c, 'Reconciling', 'True', 'ProgressingWithRetry', summary.message);
      c = set(c, 'Stalled', 'False', 'Retrying', 'a retry may succeed');
      return c;
    case 'awaiting':
      c = set(c, 'Ready', 'False', 'AwaitingApproval', summary.message);
      c = set(c, 'Reconciling', 'False', 'AwaitingApproval', summary.message);
      c = set(c, 'Stalled', 'False', 'AwaitingApproval', 'waiting for an operator');
      return c;
    case 'stalled':
      c = set(c, 'Ready', 'False', summary.reason, summary.message);
      c = set(c, 'Reconciling', 'False', summary.reason, 'waiting for a spec change');
      c = set(c, 'Stalled', 'True', summary.reason, summary.message);
      return c;
    case 'suspended':
      c = set(c, 'Ready', 'False', 'Suspended', 'spec.suspend is true: nothing runs');
      c = set(c, 'Reconciling', 'False', 'Suspended', 'spec.suspend is true');
      return c;
  }
}

export function tierReady(status: EnvironmentStatus, tier: Tier): boolean {
  return isTrue(status.tiers[tier]?.conditions, 'Ready');
}
