import { declaredTiers, type Environment, type Tier } from '../specs/environment.ts';
import type { Target } from '../specs/target.ts';
import { stableStringify } from '../specs/store/stable-json.ts';
import { SynthRoot } from './core/root.ts';
import type { TierOutputs } from './core/inputs.ts';
import type { StackFacts, TierStack } from './core/tier-stack.ts';
import { checkGuardrails, type GuardrailViolation } from './guardrails/index.ts';
import { buildLocalStack, localStack } from './local/stack.ts';
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

export type BareStackBuilder = (root: SynthRoot, ctx: ModelContext, facts: StackFacts) => TierStack;

export function synthesizeWith(aws: StackBuilder, { environment, target, tier, inputs }: SynthInput): SynthesizedTier {
  checkTarget(environment, target);
  if (!declaredTiers(environment.spec).includes(tier)) throw new Error(`environment ${environment.metadata.name} declares no ${tier} tier`);
  const ctx = modelContext(environment, target);
  const build = target.spec.provider === 'aws' ? aws : buildLocalStack;
  const json = render(build(new SynthRoot(), ctx, tier, inputs));
  const parsed = JSON.parse(json) as { resource?: Record<string, Record<string, unknown>> };
  return {
    tier,
    json,
    resourceCount: Object.values(parsed.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0),
    outputs: tierOutputNames(ctx, tier),
    violations: checkGuardrails(parsed),
  };
}

/** Provider and backend of a tier, no resources: the tier need not be declared (its spec section may be gone). */
export function synthesizeTeardownWith(aws: BareStackBuilder, { environment, target, tier }: Omit<SynthInput, 'inputs'>): string {
  checkTarget(environment, target);
  const facts: StackFacts = { environment: environment.metadata.name, tier, provider: target.spec.provider, teardown: true };
  const root = new SynthRoot();
  return render(target.spec.provider === 'aws' ? aws(root, modelContext(environment, target), facts) : localStack(root, facts));
}

function checkTarget(environment: Environment, target: Target): void {
  if (environment.spec.target !== target.metadata.name) {
    throw new Error(`environment ${environment.metadata.name} names target ${environment.spec.target}, got ${target.metadata.name}`);
  }
}

function render(stack: TierStack): string {
  stack.prepareStack();
  return stableStringify(stack.toTerraform(), 2);
}
