import { cloudtrail } from './cloudtrail.ts';
import { unencryptedStores } from './encryption.ts';
import { wildcardPolicies } from './iam.ts';
import { openIngress } from './network.ts';
import { publicBuckets } from './s3.ts';
import type { GuardrailViolation, TfStack } from './stack.ts';
import { plainHttp } from './transport.ts';

export type { GuardrailViolation } from './stack.ts';

const RULES: readonly ((stack: TfStack) => GuardrailViolation[])[] = [openIngress, publicBuckets, unencryptedStores, wildcardPolicies, plainHttp, cloudtrail];

/** Runs every rule family over a parsed cdk.tf.json; an empty list means the stack may be applied. */
export function checkGuardrails(stack: object): GuardrailViolation[] {
  return RULES.flatMap((rule) => rule(stack as TfStack));
}
