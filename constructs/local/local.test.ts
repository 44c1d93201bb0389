import { describe, expect, it } from 'vitest';
import { synthesizeTeardown, synthesizeTier } from '../index.ts';
import { devEnvironment, FAKE_INPUTS, LOCAL_TARGET, resources, withSpec, type TfJson } from '../testing/fixtures.ts';

const synth = (tier: 'network' | 'data' | 'compute' | 'frontend' | 'observability', inputs?: typeof FAKE_INPUTS) =>
  JSON.parse(synthesizeTier({ environment: devEnvironment(), target: LOCAL_TARGET, tier, inputs }).json) as TfJson;

describe('local target', () => {
  it('uses only terraform_data, no provider, and a local state file in the working dir', () => {
    for (const tier of ['network', 'data', 'compute', 'frontend', 'observability'] as const) {
      const tf = synth(tier);
      expect(Object.keys(tf.resource!)).toEqual(['terraform_data']);
      expect(tf.provider).toBeUndefined();
      expect(tf.terraform).toEqual({ backend: { local: { path: 'terraform.tfstate' } } });
    }
  });

  it('records the configuration the AWS tier would create', () => {
    const data = resources(synth('data', FAKE_INPUTS), 'terraform_data');
    expect(data.data_postgres_cluster.input).toMatchObject({ engine: 'aurora-postgresql', storage_encrypted: true, serverlessv2_scaling_configuration: { min_capacity: 0.5, max_capacity: 2 }, extensions: ['pg_stat_statements', 'pgvector'] });
    expect(data.data_redis.input).toMatchObject({ transit_encryption_enabled: true, automatic_failover_enabled: false, num_cache_clusters: 1 });
    expect(data.data_queue_notifications.input).toMatchObject({ name: 'chat-dev-data-notifications.fifo', fifo_queue: true, redrive_policy: { maxReceiveCount: 3 } });
    const compute = resources(synth('compute', FAKE_INPUTS), 'terraform_data');
    expect(compute.compute_alb.input).toMatchObject({ idle_timeout: 3600, drop_invalid_header_fields: true });
    expect(compute.compute_target_group_web.input.stickiness).toEqual({ enabled: true, type: 'lb_cookie', cookie_duration: 86400 });
    expect(compute.compute_discovery_namespace.input).toEqual({ name: 'chat-dev.internal', type: 'DNS_PRIVATE', description: 'terrace chat-dev: services by name', vpc: FAKE_INPUTS.network.vpcId });
    expect(compute.compute_service_worker_discovery.input).toEqual({
      name: 'worker', namespace: '${terraform_data.compute_discovery_namespace.output.name}', dns_name: 'worker.chat-dev.internal',
      dns_records: [{ type: 'A', ttl: 10 }], routing_policy: 'MULTIVALUE', health_check: 'ecs', port: null,
    });
    expect(compute.compute_service_web.input.service_registry).toBe('${terraform_data.compute_service_web_discovery.output.dns_name}');
    expect(compute.compute_listener_http.input.default_action).toEqual({ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } });
  });

  it('records each generated secret by its name and how AWS generates it, never a value, and gives it to the container', () => {
    const env = withSpec(devEnvironment(), (s) => (s.compute.services[0].generatedSecrets = ['SESSION_KEY']));
    const compute = resources(JSON.parse(synthesizeTier({ environment: env, target: LOCAL_TARGET, tier: 'compute', inputs: FAKE_INPUTS }).json), 'terraform_data');
    expect(compute.compute_service_web_generated_secret_SESSION_KEY.input).toEqual({
      name: 'terrace/chat-dev/web/SESSION_KEY', random_password: { length: 48, exclude_punctuation: true }, ignore_changes: ['secret_string'],
    });
    const secret = compute.compute_service_web_task.input.containers[0].secrets.find((x: { name: string }) => x.name === 'SESSION_KEY');
    expect(secret.valueFrom).toMatch(/^arn:aws:secretsmanager:local:000000000000:secret:\$\{terraform_data\.compute_service_web_generated_secret_SESSION_KEY\.output\.name\}-/);
    expect(compute.compute_service_web_execution_role.input.reads_secrets).toContain(secret.valueFrom);
    expect(compute.compute_service_worker_task.input.containers[0].secrets.map((x: { name: string }) => x.name)).not.toContain('SESSION_KEY');
  });

  it('records the frontend\'s custom response headers only when it has some', () => {
    expect(resources(synth('frontend'), 'terraform_data').frontend_response_headers_policy.input.custom_headers).toBeUndefined();
    const environment = withSpec(devEnvironment(), (s) => (s.frontend.headers = { 'Cache-Control': 'public, max-age=300', 'X-Build': '%{x}' }));
    const frontend = resources(JSON.parse(synthesizeTier({ environment, target: LOCAL_TARGET, tier: 'frontend' }).json) as TfJson, 'terraform_data');
    expect(frontend.frontend_response_headers_policy.input.custom_headers).toEqual([
      { header: 'Cache-Control', value: 'public, max-age=300', override: true },
      { header: 'X-Build', value: '%%{x}', override: true },
    ]);
    expect(frontend.frontend_response_headers_policy.input.frame_options).toBe('DENY');
  });

  it('records a Redis parameter group with the maxmemory-policy only when one is set', () => {
    expect(resources(synth('data', FAKE_INPUTS), 'terraform_data').data_redis_parameter_group).toBeUndefined();
    expect(resources(synth('data', FAKE_INPUTS), 'terraform_data').data_redis.input.parameter_group_name).toBe('default.redis7');
    const environment = withSpec(devEnvironment(), (s) => (s.data.redis.maxmemoryPolicy = 'volatile-ttl'));
    const data = resources(JSON.parse(synthesizeTier({ environment, target: LOCAL_TARGET, tier: 'data', inputs: FAKE_INPUTS }).json) as TfJson, 'terraform_data');
    expect(data.data_redis_parameter_group.input).toEqual({ name: 'chat-dev-data-redis-redis7', family: 'redis7', parameters: [{ name: 'maxmemory-policy', value: 'volatile-ttl' }] });
    expect(data.data_redis.input.parameter_group_name).toBe('${terraform_data.data_redis_parameter_group.output.name}');
  });

  it('records the Aurora readers with their promotion tiers and AZs, none by default', () => {
    expect(Object.keys(resources(synth('data', FAKE_INPUTS), 'terraform_data')).filter((k) => k.startsWith('data_postgres_reader'))).toEqual([]);
    const environment = withSpec(devEnvironment(), (s) => (s.data.postgres.readers = 2));
    const data = resources(JSON.parse(synthesizeTier({ environment, target: LOCAL_TARGET, tier: 'data', inputs: FAKE_INPUTS }).json) as TfJson, 'terraform_data');
    expect(data.data_postgres_reader_1.input).toEqual({
      identifier: 'chat-dev-data-pg-2',
      cluster_identifier: '${terraform_data.data_postgres_cluster.output.cluster_identifier}',
      instance_class: 'db.serverless',
      promotion_tier: 1,
      availability_zone: '${element(["eu-west-1a", "eu-west-1b"], 1)}',
    });
    expect(data.data_postgres_reader_2.input).toMatchObject({ identifier: 'chat-dev-data-pg-3', promotion_tier: 2, availability_zone: '${element(["eu-west-1a", "eu-west-1b"], 2)}' });
  });

  it('puts passed upstream outputs into the inputs, else reads ../<tier>/terraform.tfstate', () => {
    const given = synth('data', FAKE_INPUTS);
    expect(given.data).toBeUndefined();
    expect(resources(given, 'terraform_data').data_postgres_cluster.input.vpc_security_group_ids).toEqual(['sg-pg']);
    const fallback = synth('compute');
    expect(fallback.data!.terraform_remote_state).toEqual({
      remote_state_network: { backend: 'local', config: { path: '../network/terraform.tfstate' } },
      remote_state_data: { backend: 'local', config: { path: '../data/terraform.tfstate' } },
    });
  });

  it('makes ids from the per-apply terraform_data ids', () => {
    const out = synth('network').output!;
    expect(out.vpcId.value).toBe('vpc-${substr(replace(terraform_data.network_vpc.id, "-", ""), 0, 17)}');
  });

  it('tears a tier down with the local backend alone, even once the spec drops it', () => {
    const environment = withSpec(devEnvironment(), (s) => delete s.frontend);
    const tf = JSON.parse(synthesizeTeardown({ environment, target: LOCAL_TARGET, tier: 'frontend' })) as TfJson & { '//': { terrace: object } };
    expect(Object.keys(tf).sort()).toEqual(['//', 'terraform']);
    expect(tf.terraform).toEqual({ backend: { local: { path: 'terraform.tfstate' } } });
    expect(tf['//'].terrace).toEqual({ environment: 'chat-dev', tier: 'frontend', provider: 'local', teardown: true });
  });
});
