import { isWildcardResource, spansAccounts } from './arn.ts';
import { parse } from './s3.ts';
import { blocks, list, resourcesOf, violation, type GuardrailViolation, type TfStack } from './stack.ts';

const RULE = 'iam-least-privilege';
const READ_ONLY = /^[a-z0-9-]+:(Describe|List|Get|BatchGet)[A-Za-z0-9*]*$/;
/** Calls AWS only authorizes on `*`. */
// Creates that name nothing yet (a key, a Cloud Map namespace and its hosted zone): the bootstrap's execution role
// needs them, conditioned on terrace's tag where AWS allows it.
const STAR_ONLY = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'ecr:GetAuthorizationToken', 'cloudwatch:PutMetricData', 'kms:CreateKey',
  'servicediscovery:CreatePrivateDnsNamespace', 'route53:CreateHostedZone']);
/** Reads that hand out secrets or data: named Get, but on every resource as bad as a write. */
const SENSITIVE_READS = [
  'secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue',
  'ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory',
  'kms:Decrypt', 's3:GetObject', 's3:GetObjectVersion', 'dynamodb:GetItem', 'dynamodb:BatchGetItem',
].map((a) => a.toLowerCase());

/**
 * Identity policies: no wildcard action (`*`, `iam:*`) nor NotAction, and on every resource (`*`,
 * `arn:aws:iam::*:*`, NotResource) only harmless reads and the few calls AWS authorizes on `*` alone.
 * Resource policies (KMS key, bucket) are judged elsewhere: in a key policy `*` means the key itself.
 */
export function wildcardPolicies(stack: TfStack): GuardrailViolation[] {
  const out: GuardrailViolation[] = [];
  const policies: [string, unknown][] = [
    ...resourcesOf(stack, 'aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy').map(([a, p]) => [a, p.policy] as [string, unknown]),
    ...resourcesOf(stack, 'aws_iam_role').flatMap(([a, r]) => blocks(r.inline_policy).map((p) => [a, p.policy] as [string, unknown])),
  ];
  // A permissions boundary grants nothing by itself, and IAM caps it at 6144 characters: it may name all of a
  // service's resources, as long as each ARN stays in one account and region (and names no wildcard action).
  const boundaries = new Set(resourcesOf(stack, 'aws_iam_role').map(([, r]) => /^\$\{(aws_iam_policy\.[^.]+)\.arn\}$/.exec(String(r.permissions_boundary))?.[1]));
  for (const [address, policy] of policies) {
    const everyResource = boundaries.has(address) ? spansAccounts : isWildcardResource;
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
      for (const a of actions.filter(isWildcardAction)) out.push(violation(RULE, address, `statement ${name} allows Action "${a}"`));
      if (s.NotResource !== undefined || list(s.Resource).some((r) => everyResource(String(r)))) {
        const broad = actions.filter((a) => !isWildcardAction(a) && !STAR_ONLY.has(a) && (!READ_ONLY.test(a) || readsSecrets(a)));
        if (broad.length > 0) out.push(violation(RULE, address, `statement ${name} allows ${broad.join(', ')} on every resource`));
      }
    });
  }
  return out;
}

/** Every action, or every action of a service: the action name is wildcards only. */
function isWildcardAction(action: string): boolean {
  return /^[*?]+$/.test(action.slice(action.indexOf(':') + 1));
}

/** Whether the action, a pattern like `s3:Get*` included, covers a sensitive read. */
function readsSecrets(action: string): boolean {
  const escaped = action.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return SENSITIVE_READS.some((a) => pattern.test(a));
}
