import { isWildcardResource } from './arn.ts';
import { blocks, isTrue, list, refersTo, resourcesOf, violation, type GuardrailViolation, type TfStack } from './stack.ts';

const RULE = 'no-public-bucket';
const BLOCK_FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'] as const;
const PUBLIC_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);
const SCOPING_OPERATORS = new Set(['StringEquals', 'StringLike', 'ArnEquals', 'ArnLike']);

/**
 * Every bucket has a public access block with all four flags on, no public ACL, and no policy that allows
 * `*` unless an aws:SourceArn condition narrows it to one caller (CloudFront, CloudTrail).
 */
export function publicBuckets(stack: TfStack): GuardrailViolation[] {
  const out: GuardrailViolation[] = [];
  const pabs = resourcesOf(stack, 'aws_s3_bucket_public_access_block');
  for (const [address, bucket] of resourcesOf(stack, 'aws_s3_bucket')) {
    const pab = pabs.find(([, p]) => refersTo(p.bucket, address));
    if (!pab) out.push(violation(RULE, address, 'has no aws_s3_bucket_public_access_block'));
    else {
      const off = BLOCK_FLAGS.filter((f) => !isTrue(pab[1][f]));
      if (off.length > 0) out.push(violation(RULE, pab[0], `public access block leaves ${off.join(', ')} off`));
    }
    if (PUBLIC_ACLS.has(String(bucket.acl))) out.push(violation(RULE, address, `acl ${bucket.acl} is public`));
  }
  for (const [address, acl] of resourcesOf(stack, 'aws_s3_bucket_acl')) {
    if (PUBLIC_ACLS.has(String(acl.acl))) out.push(violation(RULE, address, `acl ${acl.acl} is public`));
  }
  for (const [address, p] of resourcesOf(stack, 'aws_s3_bucket_policy')) {
    const doc = parse(p.policy);
    if (!doc) {
      out.push(violation(RULE, address, 'policy is not literal JSON, so it cannot be checked'));
      continue;
    }
    blocks(doc.Statement).forEach((s, i) => {
      if (s.Effect !== 'Allow' || !isEveryone(s.Principal)) return;
      if (!scopedToSource(s.Condition)) out.push(violation(RULE, address, `statement ${s.Sid ?? i} allows Principal "*" without an aws:SourceArn condition naming one source`));
    });
  }
  return out;
}

/**
 * An aws:SourceArn that must match a particular ARN. A wildcard value (`*`, `arn:*:*:*:*:*`) matches any
 * source; a negated or ...IfExists operator lets requests without one through.
 */
function scopedToSource(condition: unknown): boolean {
  return Object.entries((condition ?? {}) as Record<string, Record<string, unknown>>).some(
    ([operator, keys]) => SCOPING_OPERATORS.has(operator) && Object.entries(keys).some(
      ([key, values]) => key.toLowerCase() === 'aws:sourcearn' && list(values).length > 0 && list(values).every((v) => typeof v === 'string' && !isWildcardResource(v)),
    ),
  );
}

function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') return list((principal as Record<string, unknown>).AWS).includes('*');
  return false;
}

export function parse(policy: unknown): { Statement?: unknown } | undefined {
  if (typeof policy !== 'string') return undefined;
  try {
    return JSON.parse(policy) as { Statement?: unknown };
  } catch {
    return undefined;
  }
}
