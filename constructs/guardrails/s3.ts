import { blocks, isTrue, list, refersTo, resourcesOf, violation, type GuardrailViolation, type TfStack } from './stack.ts';

const RULE = 'no-public-bucket';
const BLOCK_FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'] as const;
const PUBLIC_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);

/**
 * Every bucket has a public access block with all four flags on, no public ACL, and no policy that allows
 * `*` unless a SourceArn condition narrows it to one caller (CloudFront, CloudTrail).
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
      const keys = Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c as object)).map((k) => k.toLowerCase());
      if (!keys.includes('aws:sourcearn')) out.push(violation(RULE, address, `statement ${s.Sid ?? i} allows Principal "*" without an aws:SourceArn condition`));
    });
  }
  return out;
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
