import { parse } from './s3.ts';
import { blocks, list, resourcesOf, violation, type GuardrailViolation, type TfStack } from './stack.ts';

const RULE = 'iam-least-privilege';
const READ_ONLY = /^[a-z0-9-]+:(Describe|List|Get|BatchGet)[A-Za-z0-9*]*$/;
/** Calls AWS only authorizes on `*`. */
const STAR_ONLY = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'ecr:GetAuthorizationToken', 'cloudwatch:PutMetricData']);

/**
 * Identity policies: no `Action: "*"` (nor NotAction), and `Resource: "*"` only for read-only actions and
 * the few calls AWS authorizes on `*` alone. Resource policies (KMS key, bucket) are judged elsewhere:
 * in a key policy `*` means the key itself.
 */
export function wildcardPolicies(stack: TfStack): GuardrailViolation[] {
  const out: GuardrailViolation[] = [];
  const policies: [string, unknown][] = [
    ...resourcesOf(stack, 'aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy').map(([a, p]) => [a, p.policy] as [string, unknown]),
    ...resourcesOf(stack, 'aws_iam_role').flatMap(([a, r]) => blocks(r.inline_policy).map((p) => [a, p.policy] as [string, unknown])),
  ];
  for (const [address, policy] of policies) {
    const doc = parse(policy);
    if (!doc) {
      out.push(violation(RULE, address, 'policy is not literal JSON, so it cannot be checked'));
      continue;
    }
    blocks(doc.Statement).forEach((s, i) => {
      if (s.Effect !== 'Allow') return;
      const name = s.Sid ?? String(i);
      const actions = list(s.Action).map(String);
      if (s.NotAction !== undefined) out.push(violation(RULE, address, `statement ${name} uses NotAction`));
      if (actions.includes('*')) out.push(violation(RULE, address, `statement ${name} allows Action "*"`));
      const resources = list(s.Resource).map(String);
      if (s.NotResource !== undefined || resources.includes('*')) {
        const writes = actions.filter((a) => a !== '*' && !READ_ONLY.test(a) && !STAR_ONLY.has(a));
        if (writes.length > 0) out.push(violation(RULE, address, `statement ${name} allows ${writes.join(', ')} on every resource`));
      }
    });
  }
  return out;
}
