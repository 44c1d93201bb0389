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
      default_tags: [{ tags: { environment: 'chat-staging', tier: 'network', 'managed-by': 'terrace', 'cost-center': 'chat', stage: 'staging', app: 'chat' } }],
    }]);
  });

  it('tags with the environment\'s labels over the target\'s tags, never over terrace\'s keys, within 50 tags a resource', async () => {
    const { environment } = awsExample('chat-staging');
    const labelled = (labels: Record<string, string>) => ({ ...environment, metadata: { ...environment.metadata, labels } });
    const tags = async (labels: Record<string, string>) => (await awsTier('chat-staging', 'data', undefined, labelled(labels))).tf.provider!.aws[0].default_tags[0].tags;
    expect(await tags({ app: 'chat', stage: 'qa', tier: 'x', environment: 'y', 'team/owner': 'payments' })).toEqual({
      'cost-center': 'chat', stage: 'qa', app: 'chat', 'team/owner': 'payments', environment: 'chat-staging', tier: 'data', 'managed-by': 'terrace',
    });
    // 64 labels (the most metadata takes): 2 target tags + 40 labels + 3 of terrace's, room for 5 of a resource's own.
    const many = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`l${String(i).padStart(2, '0')}`, 'v']));
    const bounded = await tags(many);
    expect(Object.keys(bounded)).toHaveLength(45);
    expect(bounded).toMatchObject({ l00: 'v', l39: 'v', 'managed-by': 'terrace' });
    expect(bounded.l40).toBeUndefined();
  });

  it('adds a us-east-1 provider (same role and tags) to the frontend and observability stacks only, teardowns included', async () => {
    for (const tier of ['frontend', 'observability'] as const) {
      const aws = (await awsTier('chat-prod', tier)).tf.provider!.aws;
      expect(aws.map((p: { alias?: string; region: string }) => [p.alias, p.region])).toEqual([[undefined, 'eu-west-1'], ['us_east_1', 'us-east-1']]);
      expect(aws[1]).toMatchObject({ allowed_account_ids: aws[0].allowed_account_ids, assume_role: aws[0].assume_role, default_tags: aws[0].default_tags });
    }
    expect((await awsTier('chat-prod', 'compute')).tf.provider!.aws).toHaveLength(1);
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
