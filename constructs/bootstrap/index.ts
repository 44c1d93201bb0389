// The entry of `terrace bootstrap target`: a Target in, the account's bootstrap stack out, as plain data.
import { stableStringify } from '../../specs/store/stable-json.ts';
import type { Target } from '../../specs/target.ts';
import { SynthRoot } from '../core/root.ts';
import { checkGuardrails, type GuardrailViolation } from '../guardrails/index.ts';
import { executionRoleArn } from './names.ts';
import { bootstrapStack } from './stack.ts';

export { executionRoleArn, EXECUTION_ROLE_NAME, EXECUTION_ROLE_PATH } from './names.ts';
export { completeTarget } from './target.ts';

export interface BootstrapResult {
  json: string;
  violations: GuardrailViolation[];
  /** The Target the applied stack serves: its outputs, with the input's name and tags. */
  target: Target;
}

export function synthesizeBootstrap(target: Target, controlPlaneRoleArn: string): BootstrapResult {
  const { accountId, region, stateBucket, externalId, roleArn } = target.spec;
  if (target.spec.provider !== 'aws' || !accountId || !region || !stateBucket) throw new Error(`target ${target.metadata.name}: bootstrap needs provider aws with accountId and region`);
  if (!externalId) throw new Error(`target ${target.metadata.name}: spec.externalId is required: the execution role trusts the control plane only with it`);
  if (roleArn !== executionRoleArn(accountId)) throw new Error(`target ${target.metadata.name}: spec.roleArn must be ${executionRoleArn(accountId)} (the role this stack creates), or absent`);
  const stack = bootstrapStack(new SynthRoot(), { accountId, region, stateBucket, externalId, controlPlaneRoleArn });
  stack.prepareStack();
  const json = stableStringify(stack.toTerraform(), 2);
  return { json, violations: checkGuardrails(JSON.parse(json)), target: { ...target, spec: { ...target.spec, roleArn } } };
}
