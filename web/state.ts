// What each cell of the dashboard says, derived from an environment's conditions in one place. Pure: no DOM.
import type { Condition } from '../specs/conditions.ts';
import type { Tier } from '../specs/environment.ts';
import type { StoredEnvironment } from '../specs/store/types.ts';

/** The order of the columns, as the controller applies them (type-checked against specs/environment.ts). */
export const TIERS: readonly Tier[] = ['network', 'data', 'compute', 'frontend', 'observability'];

export type CellState =
  | 'ready'
  | 'progressing'
  | 'failed'
  | 'drifted'
  | 'awaiting-approval'
  | 'suspended'
  | 'deleting'
  /** Declared, but nothing has run yet (or it waits for a tier it depends on). */
  | 'pending'
  /** Not declared by the spec: nothing to show. */
  | 'absent';

export interface Cell {
  state: CellState;
  /** The state in words, for the cell's text (never colour alone). */
  label: string;
  /** Why: the condition's reason and message, for hover and focus. */
  detail: string;
}

export const LABELS: Record<CellState, string> = {
  ready: 'ready',
  progressing: 'progressing',
  failed: 'failed',
  drifted: 'drifted',
  'awaiting-approval': 'awaiting approval',
  suspended: 'suspended',
  deleting: 'deleting',
  pending: 'pending',
  absent: '—',
};

/** The states an environment counts under at the top of the overview, in display order. */
export const COUNTED: readonly CellState[] = ['ready', 'progressing', 'awaiting-approval', 'failed', 'drifted', 'suspended', 'deleting', 'pending'];

/** Just what the functions read of an environment: the watch stream and GET send the whole document. */
export type EnvLike = Pick<StoredEnvironment, 'metadata' | 'status'> & { spec: Partial<StoredEnvironment['spec']> };

const find = (list: readonly Condition[] | undefined, type: string) => list?.find((c) => c.type === type);
const describe = (c: Condition | undefined, fallback: string) => (c ? `${c.reason}: ${c.message}` : fallback);
const cell = (state: CellState, detail: string): Cell => ({ state, label: LABELS[state], detail });

export function declaredTiers(env: EnvLike): Tier[] {
  return TIERS.filter((t) => env.spec[t] !== undefined);
}

/** One tier's cell: deletion and suspension first, then what its Ready, Planned and Drifted conditions say. */
export function tierCell(env: EnvLike, tier: Tier): Cell {
  const status = env.status?.tiers?.[tier];
  const declared = env.spec[tier] !== undefined;
  if (!declared && !status) return cell('absent', `the spec declares no ${tier} tier`);
  const ready = find(status?.conditions, 'Ready');
  const planned = find(status?.conditions, 'Planned');
  const drifted = find(status?.conditions, 'Drifted');
  if (ready?.reason === 'Deleting') return cell('deleting', describe(ready, ''));
  if (env.metadata.deletionTimestamp) return cell('deleting', ready?.status === 'False' && ready.reason !== 'DependencyNotReady' ? describe(ready, '') : 'the environment is being deleted: its tiers are destroyed in reverse order');
  if (env.spec.suspend) return cell('suspended', `spec.suspend is true: nothing runs (last: ${describe(ready, 'never reconciled')})`);
  if (!declared) return cell('progressing', `${tier} is no longer declared: the controller removes it`);
  if (!ready) return cell('pending', 'not reconciled yet');
  // Terraform running wins: an approved plan being applied still carries Planned AwaitingApproval until it is done.
  if (ready.status === 'Unknown') return cell('progressing', describe(ready, ''));
  if (planned?.reason === 'AwaitingApproval' || ready.reason === 'AwaitingApproval') return cell('awaiting-approval', describe(planned?.reason === 'AwaitingApproval' ? planned : ready, ''));
  if (drifted?.status === 'True') return cell('drifted', describe(drifted, ''));
  if (ready.status === 'False') return ready.reason === 'DependencyNotReady' ? cell('pending', describe(ready, '')) : cell('failed', describe(ready, ''));
  // The data tier's database setup (a task after the apply): its stack applied, its database not usable yet.
  const setup = find(status?.conditions, 'DatabaseReady');
  if (setup?.status === 'False') return cell('failed', describe(setup, ''));
  // Ready, but for an older spec: the controller has this generation still to apply.
  const generation = env.metadata.generation ?? 0;
  if (ready.observedGeneration < generation) return cell('progressing', `generation ${generation} not applied yet (ready at ${ready.observedGeneration})`);
  return cell('ready', describe(ready, ''));
}

/** The Verified column: spec.verify's last run. */
export function verifiedCell(env: EnvLike): Cell {
  const verified = find(env.status?.conditions, 'Verified');
  if (!env.spec.verify && !verified) return cell('absent', 'no spec.verify: nothing is checked');
  if (env.metadata.deletionTimestamp) return cell('deleting', 'the environment is being deleted');
  if (env.spec.suspend) return cell('suspended', `spec.suspend is true (last: ${describe(verified, 'never verified')})`);
  if (!verified) return cell('pending', 'runs once every tier is applied');
  if (verified.status === 'True') return cell('ready', describe(verified, ''));
  if (verified.status === 'Unknown') return cell('progressing', describe(verified, ''));
  return cell('failed', describe(verified, ''));
}

/** The environment as a whole, for the counts and the row's first cell. */
export function environmentCell(env: EnvLike): Cell {
  const conditions = env.status?.conditions;
  const ready = find(conditions, 'Ready');
  if (env.metadata.deletionTimestamp) return cell('deleting', describe(ready, 'the environment is being deleted'));
  if (env.spec.suspend) return cell('suspended', 'spec.suspend is true: nothing runs');
  const tiers = declaredTiers(env).map((t) => tierCell(env, t).state);
  if (find(conditions, 'Stalled')?.status === 'True' || tiers.includes('failed') || verifiedCell(env).state === 'failed') return cell('failed', describe(ready, 'a tier failed'));
  if (tiers.includes('awaiting-approval')) return cell('awaiting-approval', describe(ready, 'a plan awaits approval'));
  if (tiers.includes('drifted')) return cell('drifted', 'a tier drifted from its stack');
  const generation = env.metadata.generation ?? 0;
  if (ready?.status === 'True' && (env.status.observedGeneration ?? 0) >= generation) return cell('ready', describe(ready, ''));
  if (!ready && tiers.every((t) => t === 'pending')) return cell('pending', 'not reconciled yet');
  return cell('progressing', describe(ready, 'reconciling'));
}

/** The plans waiting for an operator, with their change counts, so the page can show them before approving. */
export function plansAwaitingApproval(env: EnvLike): { tier: Tier; id: string; add: number; change: number; destroy: number }[] {
  return TIERS.flatMap((tier) => {
    const s = env.status?.tiers?.[tier];
    return s?.lastPlan && find(s.conditions, 'Planned')?.reason === 'AwaitingApproval' ? [{ tier, ...s.lastPlan }] : [];
  });
}

/** Counts of environments per state, every counted state present (zero included). */
export function countStates(envs: Iterable<EnvLike>): Record<CellState, number> {
  const counts = Object.fromEntries(Object.keys(LABELS).map((s) => [s, 0])) as Record<CellState, number>;
  for (const env of envs) counts[environmentCell(env).state]++;
  return counts;
}
