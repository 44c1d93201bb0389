// The entry of `terrace bootstrap target`: a Target in, the account's bootstrap stack out, as plain data.
import { stableStringify } from '../../specs/store/stable-json.ts';
import type { Target } from '../../specs/target.ts';
import { SynthRoot } from '../core/root.ts';
import { checkGuardrails, type GuardrailViolation } from '../guardrails/index.ts';
import { executionRoleArn, stateBucketName } from './names.ts';
import { bootstrapStack } from './stack.ts';

export { executionRoleArn, EXECUTION_ROLE_NAME, EXECUTION_ROLE_PATH } from './names.ts';

export interface BootstrapResult {
  json: string;
  violations: GuardrailViolation[];
  /** The Target the applied stack serves: its outputs, with the input's name and tags. */
  target: Target;
}

/**
 * Fills what the bootstrap decides (role ARN, state bucket) into a Target document that lacks them, so the
 * document can be written before the account is ready. A given roleArn must be the role this stack creates.
 */
export function completeTarget(input: unknown): unknown {
  const doc = input as { spec?: Record<string, unknown> } | null;
  const spec = doc?.spec;
  if (!spec || typeof spec.accountId !== 'string' || typeof spec.region !== 'string') return input;
  return {
    ...doc,
    spec: { ...spec, roleArn: spec.roleArn ?? executionRoleArn(spec.accountId), stateBucket: spec.stateBucket ?? stateBucketName(spec.accountId, spec.region) },
  };
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
