import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import type { Tier } from '../../specs/environment.ts';
import { DataTerraformRemoteStateS3, S3Backend } from '../core/cdktf.ts';
import { TierInputs, type TierOutputs } from '../core/inputs.ts';
import { TierStack } from '../core/tier-stack.ts';
import type { ModelContext } from '../model/context.ts';
import { escapeDeep } from '../model/escape.ts';

export const AWS_PROVIDER_VERSION = '6.25.0';

/**
 * A tier's stack for an AWS target: the provider assumes the target's role in its region and tags
 * everything; state lives in the target's bucket under `<environment>/<tier>.tfstate` with S3-native locking.
 */
export function awsTierStack(root: Construct, ctx: ModelContext, tier: Tier, given?: Partial<Record<Tier, TierOutputs>>): { stack: TierStack; inputs: TierInputs } {
  const { env, target } = ctx;
  const t = target.spec;
  if (!t.region || !t.roleArn || !t.stateBucket || !t.accountId) throw new Error(`target ${target.metadata.name} lacks region, roleArn, stateBucket or accountId`);
  const stack = new TierStack(root, { environment: env, tier, provider: 'aws', cloudtrail: tier === 'observability' ? (ctx.spec.observability?.cloudtrail ?? false) : undefined });
  const assumeRole = { roleArn: t.roleArn, externalId: t.externalId, sessionName: `terrace-${env}-${tier}` };

  new AwsProvider(stack, 'aws', {
    region: t.region,
    allowedAccountIds: [t.accountId],
    assumeRole: [assumeRole],
    // The target's tags first: terrace's own keys must not be overridden.
    defaultTags: [{ tags: { ...escapeDeep(t.tags ?? {}), environment: env, tier, 'managed-by': 'terrace' } }],
  });
  stack.addOverride('terraform.required_providers.aws', { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION });

  new S3Backend(stack, { bucket: t.stateBucket, key: stateKey(env, tier), region: t.region, encrypt: true, assumeRole });
  // cdktf 0.21's S3Backend predates S3-native locking (terraform 1.10+).
  stack.addOverride('terraform.backend.s3.use_lockfile', true);

  const inputs = new TierInputs(given, (dep) => {
    const state = new DataTerraformRemoteStateS3(stack, `remote_state_${dep}`, { bucket: t.stateBucket!, key: stateKey(env, dep), region: t.region, encrypt: true, assumeRole });
    return { getString: (k) => state.getString(k), getNumber: (k) => state.getNumber(k), getList: (k) => state.getList(k) };
  });
  return { stack, inputs };
}

export function stateKey(env: string, tier: Tier): string {
  return `${env}/${tier}.tfstate`;
}
