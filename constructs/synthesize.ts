import { declaredTiers, type Environment, type Tier } from '../specs/environment.ts';
import type { Target } from '../specs/target.ts';
import { stableStringify } from './core/json.ts';
import { SynthRoot } from './core/root.ts';
import type { TierOutputs } from './core/inputs.ts';
import type { TierStack } from './core/tier-stack.ts';
import { checkGuardrails, type GuardrailViolation } from './guardrails/index.ts';
import { buildLocalStack } from './local/stack.ts';
import { modelContext, type ModelContext } from './model/context.ts';
import { tierOutputNames } from './model/outputs.ts';

export interface SynthInput {
  environment: Environment;
  target: Target;
  tier: Tier;
  inputs?: Partial<Record<Tier, TierOutputs>>;
}

export interface SynthesizedTier {
  tier: Tier;
  json: string;
  resourceCount: number;
  outputs: string[];
  violations: GuardrailViolation[];
}

export type StackBuilder = (root: SynthRoot, ctx: ModelContext, tier: Tier, inputs?: SynthInput['inputs']) => TierStack;

export function synthesizeWith(aws: StackBuilder, { environment, target, tier, inputs }: SynthInput): SynthesizedTier {
  if (environment.spec.target !== target.metadata.name) {
    throw new Error(`environment ${environment.metadata.name} names target ${environment.spec.target}, got ${target.metadata.name}`);
  }
  if (!declaredTiers(environment.spec).includes(tier)) throw new Error(`environment ${environment.metadata.name} declares no ${tier} tier`);
  const ctx = modelContext(environment, target);
  const build = target.spec.provider === 'aws' ? aws : buildLocalStack;
  const stack = build(new SynthRoot(), ctx, tier, inputs);
  stack.prepareStack();
  const json = stableStringify(stack.toTerraform());
  const parsed = JSON.parse(json) as { resource?: Record<string, Record<string, unknown>> };
  return {
    tier,
    json,
    resourceCount: Object.values(parsed.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0),
    outputs: tierOutputNames(ctx, tier),
    violations: checkGuardrails(parsed),
  };
}
