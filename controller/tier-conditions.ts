import { setCondition, type Condition } from '../specs/conditions.ts';
import type { TierStatus } from '../specs/status.ts';

type Status = Condition['status'];

/** Sets several conditions of a tier at once, all carrying the generation they describe. */
export function setTierConditions(tier: TierStatus, generation: number, now: Date, conds: Record<string, [Status, string, string]>): TierStatus {
  let conditions = tier.conditions;
  for (const [type, [status, reason, message]] of Object.entries(conds)) {
    conditions = setCondition(conditions, { type, status, reason, message, observedGeneration: generation }, now);
  }
  return { ...tier, conditions };
}

export const changeText = (c: { add: number; change: number; destroy: number }) => `${c.add} to add, ${c.change} to change, ${c.destroy} to destroy`;
