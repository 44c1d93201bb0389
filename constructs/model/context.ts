import type { EnvironmentSpec, Tier } from '../../specs/environment.ts';
import type { Environment } from '../../specs/environment.ts';
import type { Target } from '../../specs/target.ts';

/** What every tier model is computed from: the validated, defaulted documents. */
export interface ModelContext {
  readonly env: string;
  readonly spec: EnvironmentSpec;
  readonly target: Target;
  /** metadata.labels: they become tags (constructs/aws/stack.ts). */
  readonly labels?: Readonly<Record<string, string>>;
}

export function modelContext(environment: Environment, target: Target): ModelContext {
  return { env: environment.metadata.name, spec: environment.spec, target, labels: environment.metadata.labels };
}

/** A value another tier produces: the output's name and, for list outputs, an element. */
export interface OutputRef {
  readonly tier: Tier;
  readonly output: string;
  readonly index?: number;
}
/** A string assembled from literals and other tiers' outputs (e.g. `rediss://` + redisEndpoint + `:6379`). */
export type Part = string | OutputRef;

export function ref(tier: Tier, output: string, index?: number): OutputRef {
  return index === undefined ? { tier, output } : { tier, output, index };
}

export const DEFAULT_LOG_RETENTION_DAYS = 30;

export function logRetentionDays(spec: EnvironmentSpec): number {
  return spec.observability?.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
}

/** `arn:aws` or `arn:aws-cn`..., read from the role ARN; `arn:aws` for the local target. */
export function partitionOf(target: Target): string {
  return target.spec.roleArn?.split(':')[1] ?? 'aws';
}
