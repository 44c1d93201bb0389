import { describe, expect, it } from 'vitest';
import { TIERS } from '../../specs/environment.ts';
import { checkGuardrails, synthesizeTeardown } from '../index.ts';
import { awsExample, awsTier, FAKE_INPUTS, withSpec, type TfJson } from '../testing/fixtures.ts';

describe('AWS tier stack', () => {
  it('assumes the target role in its region with default tags, provider pinned', async () => {
    const { tf } = await awsTier('chat-staging', 'network');
    expect(tf.terraform!.required_providers).toEqual({ aws: { source: 'hashicorp/aws', version: '6.25.0' } });
    expect(tf.provider!.aws).toEqual([{
      region: 'eu-west-1',
      allowed_account_ids: ['222222222222'],
      assume_role: [{ role_arn: 'arn:aws:iam::222222222222:role/terrace-deployer', external_id: 'terrace-staging', session_name: 'terrace-chat-staging-network' }],
      default_tags: [{ tags: { environment: 'chat-staging', tier: 'network', 'managed-by': 'terrace', 'cost-center': 'chat', stage: 'staging' } }],
    }]);
  });

  it('keeps state in the target bucket under <environment>/<tier>.tfstate with S3 locking', async () => {
    const { tf } = await awsTier('chat-prod', 'data');
    expect(tf.terraform!.backend).toEqual({
      s3: {
        bucket: 'terrace-state-333333333333-eu-west-1',
        key: 'chat-prod/data.tfstate',
        region: 'eu-west-1',
        use_lockfile: true,
        assume_role: { role_arn: 'arn:aws:iam::333333333333:role/terrace-deployer', external_id: 'terrace-prod', session_name: 'terrace-chat-prod-data' },
      },
    });
  });

  it("reads a dependency's state from S3 when its outputs are not passed, and not when they are", async () => {
    const fallback = (await awsTier('chat-staging', 'compute')).tf;
    expect(fallback.data!.terraform_remote_state.remote_state_network).toMatchObject({ backend: 's3', config: { bucket: 'terrace-state-222222222222-eu-west-1', key: 'chat-staging/network.tfstate' } });
    expect(fallback.data!.terraform_remote_state.remote_state_data.config.key).toBe('chat-staging/data.tfstate');
    const given = (await awsTier('chat-staging', 'compute', FAKE_INPUTS)).tf;
    expect(given.data?.terraform_remote_state).toBeUndefined();
    expect(JSON.stringify(given)).toContain('subnet-priv1');
  });

  it('declares the same outputs as the local target, for every tier', async () => {
    const { synthesizeTier } = await import('../index.ts');
    const { awsExample, LOCAL_TARGET } = await import('../testing/fixtures.ts');
    const { environment } = awsExample('chat-staging');
    const local = { ...environment, spec: { ...environment.spec, target: 'local' } };
    for (const tier of ['network', 'data', 'compute', 'frontend', 'observability'] as const) {
      const aws = await awsTier('chat-staging', tier);
      const l = synthesizeTier({ environment: local, target: LOCAL_TARGET, tier });
      expect(Object.keys(aws.tf.output!).sort()).toEqual(Object.keys(JSON.parse(l.json).output).sort());
      expect(aws.result.outputs.sort()).toEqual(Object.keys(aws.tf.output!).sort());
    }
  });
});

describe('AWS teardown stack', () => {
  it('has the full stack\'s provider and backend, no resources or data, for a tier the spec no longer declares', async () => {
    const { environment, target } = awsExample('chat-prod');
    for (const tier of TIERS) {
      const full = (await awsTier('chat-prod', tier)).tf;
      // A spec must declare some tier: keep one other.
      const keep = tier === 'frontend' ? 'network' : 'frontend';
      const gone = withSpec(environment, (s) => TIERS.filter((t) => t !== keep).forEach((t) => delete s[t]));
      const json = synthesizeTeardown({ environment: gone, target, tier });
      const tf = JSON.parse(json) as TfJson;
      expect([tier, tf.provider, tf.terraform]).toEqual([tier, full.provider, full.terraform]);
      expect([tier, tf.resource, tf.data, tf.output]).toEqual([tier, undefined, undefined, undefined]);
      expect(checkGuardrails(tf)).toEqual([]);
      expect(synthesizeTeardown({ environment: gone, target, tier })).toBe(json);
    }
  });
});
