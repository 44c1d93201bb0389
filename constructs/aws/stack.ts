import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import type { Tier } from '../../specs/environment.ts';
import { DataTerraformRemoteStateS3, S3Backend, TerraformStack } from '../core/cdktf.ts';
import { TierInputs, type TierOutputs } from '../core/inputs.ts';
import { TierStack, type StackFacts } from '../core/tier-stack.ts';
import type { ModelContext } from '../model/context.ts';
import { escapeDeep } from '../model/escape.ts';

export const AWS_PROVIDER_VERSION = '6.25.0';

/** A tier's stack for an AWS target, with its inputs: provider and state as in awsStack, then other tiers' outputs. */
export function awsTierStack(root: Construct, ctx: ModelContext, tier: Tier, given?: Partial<Record<Tier, TierOutputs>>): { stack: TierStack; inputs: TierInputs } {
  const cloudtrail = tier === 'observability' ? (ctx.spec.observability?.cloudtrail ?? false) : undefined;
  const stack = awsStack(root, ctx, { environment: ctx.env, tier, provider: 'aws', cloudtrail });
  const { bucket, region, assumeRole } = access(ctx, tier);
  const inputs = new TierInputs(given, (dep) => {
    const state = new DataTerraformRemoteStateS3(stack, `remote_state_${dep}`, { bucket, key: stateKey(ctx.env, dep), region, encrypt: true, assumeRole });
    return { getString: (k) => state.getString(k), getNumber: (k) => state.getNumber(k), getList: (k) => state.getList(k) };
  });
  return { stack, inputs };
}

/**
 * Provider and backend only (what a teardown applies): the provider assumes the target's role in its region
 * and tags everything; state lives in the target's bucket under `<environment>/<tier>.tfstate` with
 * S3-native locking. Reads no tier section of the spec, so it works for a tier no longer declared.
 */
export function awsStack(root: Construct, ctx: ModelContext, facts: StackFacts): TierStack {
  const { env, target } = ctx;
  const { tier } = facts;
  const { bucket, region, accountId, assumeRole } = access(ctx, tier);
  const stack = new TierStack(root, facts);

  new AwsProvider(stack, 'aws', {
    region,
    allowedAccountIds: [accountId],
    assumeRole: [assumeRole],
    defaultTags: [{ tags: defaultTags(ctx, tier) }],
  });
  stack.addOverride('terraform.required_providers.aws', { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION });
  // CloudFront's WAF (frontend) and metrics (observability) live in us-east-1; teardowns need it as much.
  if (tier === 'frontend' || tier === 'observability') usEast1Provider(stack, ctx, tier);

  // No `encrypt`: it would ask for SSE-S3 (AES256), which a bootstrapped bucket refuses; without the header
  // the bucket's default applies (SSE-KMS with the state key there; SSE-S3 at least on any bucket since 2023).
  new S3Backend(stack, { bucket, key: stateKey(env, tier), region, assumeRole });
  // cdktf 0.21's S3Backend predates S3-native locking (terraform 1.10+).
  stack.addOverride('terraform.backend.s3.use_lockfile', true);
  return stack;
}

/** Tags AWS allows on one resource; terrace's resources add at most a few of their own (Name, tier, purpose). */
const MAX_TAGS = 50;
const RESOURCE_TAGS = 5;

/**
 * The target's tags, then the environment's labels (a label wins over a target tag of the same key), then
 * terrace's own keys, which nothing overrides. Labels already have tag syntax (specs/meta.ts); those past the
 * budget (50 per resource, less what resources add) are left out, the last by key first.
 */
export function defaultTags(ctx: ModelContext, tier: Tier): Record<string, string> {
  const own = { environment: ctx.env, tier, 'managed-by': 'terrace' };
  const budget = MAX_TAGS - RESOURCE_TAGS - Object.keys(own).length;
  const tags: Record<string, string> = Object.fromEntries(Object.entries(ctx.target.spec.tags ?? {}).filter(([k]) => !(k in own)));
  const labels = Object.entries(ctx.labels ?? {}).filter(([k]) => !(k in own) && !k.toLowerCase().startsWith('aws:'));
  for (const [k, v] of labels.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (k in tags || Object.keys(tags).length < budget) tags[k] = v;
  }
  return { ...escapeDeep(tags), ...own };
}

const US_EAST_1 = 'aws_us_east_1';

/** The frontend and observability stacks' us-east-1 provider, for a resource's `provider`. */
export function usEast1Of(scope: Construct): AwsProvider {
  const provider = TerraformStack.of(scope).node.tryFindChild(US_EAST_1);
  if (!(provider instanceof AwsProvider)) throw new Error(`${scope.node.path}: its stack has no us-east-1 provider`);
  return provider;
}

/**
 * A second provider in us-east-1, same role, account and tags: what CloudFront's WAF and metrics need wherever
 * the target is. Its resources name it as `provider`.
 */
function usEast1Provider(stack: TierStack, ctx: ModelContext, tier: Tier): AwsProvider {
  const { accountId, assumeRole } = access(ctx, tier);
  return new AwsProvider(stack, US_EAST_1, {
    alias: 'us_east_1',
    region: 'us-east-1',
    allowedAccountIds: [accountId],
    assumeRole: [assumeRole],
    defaultTags: [{ tags: defaultTags(ctx, tier) }],
  });
}

/** The target's account, region and state bucket, and the role a tier's runs assume (provider and state alike). */
function access(ctx: ModelContext, tier: Tier) {
  const t = ctx.target.spec;
  if (!t.region || !t.roleArn || !t.stateBucket || !t.accountId) throw new Error(`target ${ctx.target.metadata.name} lacks region, roleArn, stateBucket or accountId`);
  return { bucket: t.stateBucket, region: t.region, accountId: t.accountId, assumeRole: { roleArn: t.roleArn, externalId: t.externalId, sessionName: `terrace-${ctx.env}-${tier}` } };
}

export function stateKey(env: string, tier: Tier): string {
  return `${env}/${tier}.tfstate`;
}
