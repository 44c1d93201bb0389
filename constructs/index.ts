// The public entry of constructs/: spec in, cdk.tf.json out. Only plain data crosses this file (no cdktf
// type), so callers never import cdktf and a switch to another CDK (cdktn) touches this folder only.
import { declaredTiers, type Environment, type Tier } from '../specs/environment.ts';
import type { Target } from '../specs/target.ts';
import { buildAwsStack } from './aws/build.ts';
import { awsStack } from './aws/stack.ts';
import { synthesizeTeardownWith, synthesizeWith, type SynthInput, type SynthesizedTier } from './synthesize.ts';

export type { TierOutputs } from './core/inputs.ts';
export type { SynthInput, SynthesizedTier } from './synthesize.ts';
export { checkGuardrails, type GuardrailViolation } from './guardrails/index.ts';
export { escapeTemplate } from './model/escape.ts';

export function synthesizeTier(input: SynthInput): SynthesizedTier {
  return synthesizeWith(buildAwsStack, input);
}

/** Every declared tier, in apply order. */
export function synthesizeEnvironment(environment: Environment, target: Target, inputs?: SynthInput['inputs']): SynthesizedTier[] {
  return declaredTiers(environment.spec).map((tier) => synthesizeTier({ environment, target, tier, inputs }));
}

/** A tier's stack with only what destroying it needs: the provider (role, region, tags) and the state backend,
 *  no resources, no data sources. `terraform apply -destroy` on it removes everything in that tier's state. Works for a
 *  tier the environment no longer declares (its spec section is gone). Deterministic JSON. */
export function synthesizeTeardown(input: { environment: Environment; target: Target; tier: Tier }): string {
  return synthesizeTeardownWith(awsStack, input);
}
