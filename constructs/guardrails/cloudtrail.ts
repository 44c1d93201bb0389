import { isTrue, resourcesOf, violation, type GuardrailViolation, type TfStack } from './stack.ts';

const RULE = 'cloudtrail';

/**
 * Every trail is multi-region with log file validation; and an AWS observability stack whose spec asks
 * for CloudTrail (recorded in the JSON's `//.terrace`) has such a trail.
 */
export function cloudtrail(stack: TfStack): GuardrailViolation[] {
  const out: GuardrailViolation[] = [];
  const trails = resourcesOf(stack, 'aws_cloudtrail');
  for (const [address, t] of trails) {
    if (!isTrue(t.is_multi_region_trail)) out.push(violation(RULE, address, 'is not multi-region'));
    if (!isTrue(t.enable_log_file_validation)) out.push(violation(RULE, address, 'has no log file validation'));
  }
  const facts = stack['//']?.terrace;
  if (facts?.provider === 'aws' && facts.cloudtrail === true && trails.length === 0) {
    out.push(violation(RULE, 'aws_cloudtrail', 'observability.cloudtrail is on but the stack has no aws_cloudtrail'));
  }
  return out;
}
