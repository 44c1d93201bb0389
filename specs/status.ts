import { Type, type Static } from '@sinclair/typebox';
import { Condition } from './conditions.ts';
import { Verification } from './verify.ts';

export const PlanSummary = Type.Object({
  id: Type.String(),
  add: Type.Integer(),
  change: Type.Integer(),
  destroy: Type.Integer(),
});
export type PlanSummary = Static<typeof PlanSummary>;

export const TierStatus = Type.Object({
  conditions: Type.Array(Condition),
  /** Non-sensitive terraform outputs, fed to the tiers that depend on this one. */
  outputs: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  lastAppliedHash: Type.Optional(Type.String()),
  lastAppliedAt: Type.Optional(Type.String()),
  /** Last plan that found the tier matching its stack (apply or drift check): drift checks count from it. */
  lastCheckedAt: Type.Optional(Type.String()),
  lastPlan: Type.Optional(PlanSummary),
  /** The data tier's database setup task (controller/db-setup/): what its last successful run was for. */
  databaseSetup: Type.Optional(Type.Object({ hash: Type.String(), taskArn: Type.Optional(Type.String()), ranAt: Type.String() })),
});
export type TierStatus = Static<typeof TierStatus>;

export const EnvironmentStatus = Type.Object({
  observedGeneration: Type.Optional(Type.Integer()),
  conditions: Type.Array(Condition),
  tiers: Type.Record(Type.String(), TierStatus),
  /** The last run of spec.verify (absent without it). */
  verification: Type.Optional(Verification),
});
export type EnvironmentStatus = Static<typeof EnvironmentStatus>;

export const emptyStatus = (): EnvironmentStatus => ({ conditions: [], tiers: {} });
