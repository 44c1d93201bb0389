import type { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import type { Target } from '../../specs/target.ts';
import { boundaryPolicyArn, EXECUTION_ROLE_PATH, executionRoleArn } from '../bootstrap/names.ts';

/**
 * In an account made ready by `terrace bootstrap target` (the Target runs as its execution role), that role may
 * create roles only under /terrace/ with the terrace boundary: every role of the tier is put there. Other
 * Targets (roles made by hand) keep their roles as they are.
 */
export function boundRoles(scope: Construct, target: Target): void {
  const { accountId, roleArn } = target.spec;
  if (!accountId || roleArn !== executionRoleArn(accountId)) return;
  for (const role of scope.node.findAll().filter((c): c is IamRole => c instanceof IamRole)) {
    role.path = EXECUTION_ROLE_PATH;
    role.permissionsBoundary = boundaryPolicyArn(accountId);
  }
}
