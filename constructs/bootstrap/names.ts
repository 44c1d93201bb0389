/**
 * Names the bootstrap stack gives, shared with the control plane stack (its task role may assume exactly this
 * role in each target account) and the docs.
 */
export const EXECUTION_ROLE_PATH = '/terrace/';
export const EXECUTION_ROLE_NAME = 'terrace-execution';
export const BOUNDARY_POLICY_NAME = 'terrace-boundary';
export const STATE_KEY_ALIAS = 'alias/terrace-state';

export function executionRoleArn(accountId: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:role${EXECUTION_ROLE_PATH}${EXECUTION_ROLE_NAME}`;
}

export function boundaryPolicyArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:policy${EXECUTION_ROLE_PATH}${BOUNDARY_POLICY_NAME}`;
}

/** Globally unique and readable: one state bucket per account and region. */
export function stateBucketName(accountId: string, region: string): string {
  return `terrace-state-${accountId}-${region}`;
}
