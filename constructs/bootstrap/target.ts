// Plain data, no cdktf: the bootstrap command validates its input before loading synthesis.
import { executionRoleArn, stateBucketName } from './names.ts';

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
