import { Type, type Static } from '@sinclair/typebox';

export const ConditionStatus = Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]);

export const Condition = Type.Object({
  type: Type.String(),
  status: ConditionStatus,
  reason: Type.String({ description: 'PascalCase' }),
  message: Type.String(),
  lastTransitionTime: Type.String({ description: 'RFC 3339; changes only when status flips' }),
  observedGeneration: Type.Integer(),
});
export type Condition = Static<typeof Condition>;
export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/**
 * Sets `cond` in `list` (a new list; inputs are not mutated). lastTransitionTime moves only when the
 * status flips, so rewriting the same condition changes nothing and causes no status write.
 */
export function setCondition(list: readonly Condition[], cond: ConditionInput, now: Date): Condition[] {
  const existing = list.find((c) => c.type === cond.type);
  const lastTransitionTime = existing && existing.status === cond.status ? existing.lastTransitionTime : now.toISOString();
  const next: Condition = { ...cond, lastTransitionTime };
  return existing ? list.map((c) => (c.type === cond.type ? next : c)) : [...list, next];
}

export function findCondition(list: readonly Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((c) => c.type === type);
}

export function isTrue(list: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(list, type)?.status === 'True';
}

export function removeCondition(list: readonly Condition[], type: string): Condition[] {
  return list.filter((c) => c.type !== type);
}
