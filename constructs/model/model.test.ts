import { describe, expect, it } from 'vitest';
import { TERRACE_SECURITY_HEADERS } from '../../specs/frontend-headers.ts';
import { awsExample, devEnvironment, LOCAL_TARGET, withSpec } from '../testing/fixtures.ts';
import { parseCidr, subnetCidrs } from './cidr.ts';
import { computeModel, privateDnsName } from './compute.ts';
import { modelContext } from './context.ts';
import { dataModel, postgresParameters } from './data.ts';
import { escapeDeep, escapeTemplate } from './escape.ts';
import { frontendModel } from './frontend.ts';
import { fitName } from './names.ts';
import { networkModel } from './network.ts';
import { observabilityModel } from './observability.ts';
import { tierOutputNames } from './outputs.ts';

const dev = () => modelContext(devEnvironment(), LOCAL_TARGET);
const prod = () => {
  const { environment, target } = awsExample('chat-prod');
  return modelContext(environment, target);
};

describe('escapeTemplate', () => {
  it('doubles template introducers and nothing else', () => {
    expect(escapeTemplate('${aws_db_instance.x.password}')).toBe('$${aws_db_instance.x.password}');
    expect(escapeTemplate('%{if true}x%{endif}')).toBe('%%{if true}x%%{endif}');
    expect(escapeTemplate('cost $5, 100% {ok} $$ %')).toBe('cost $5, 100% {ok} $$ %');
    expect(escapeTemplate('$${already}')).toBe('$$${already}');
  });
  it('reaches keys and nested values', () => {
    expect(escapeDeep({ a: ['${x}', 1, { '%{k}': '%{v}' }], b: true })).toEqual({ a: ['$${x}', 1, { '%%{k}': '%%{v}' }], b: true });
  });
});

describe('subnetCidrs', () => {
  it('puts private subnets in the first quarters and public ones in the last', () => {
    expect(subnetCidrs('10.10.0.0/16', 2)).toEqual({ private: ['10.10.0.0/18', '10.10.64.0/18'], public: ['10.10.192.0/20', '10.10.208.0/20'] });
    expect(subnetCidrs('10.30.0.0/16', 3).private).toEqual(['10.30.0.0/18', '10.30.64.0/18', '10.30.128.0/18']);
    expect(subnetCidrs('10.30.0.0/16', 3).public).toEqual(['10.30.192.0/20', '10.30.208.0/20', '10.30.224.0/20']);
  });
  it('still fits AWS minimums in a /24', () => {
    expect(subnetCidrs('192.168.7.0/24', 3)).toEqual({
      private: ['192.168.7.0/26', '192.168.7.64/26', '192.168.7.128/26'],
      public: ['192.168.7.192/28', '192.168.7.208/28', '192.168.7.224/28'],
    });
  });
});

describe('parseCidr', () => {
  it('reads every spelling of an address', () => {
    expect(parseCidr('10.10.0.0/16')).toEqual({ version: 4, address: 0x0a0a0000n, prefix: 16 });
    for (const zero of ['::/0', '::0/0', '0:0:0:0:0:0:0:0/0']) expect(parseCidr(zero)).toEqual({ version: 6, address: 0n, prefix: 0 });
    expect(parseCidr('2001:db8::1/64')).toEqual({ version: 6, address: 0x20010db8000000000000000000000001n, prefix: 64 });
    expect(parseCidr('::ffff:1.2.3.4/128')).toEqual({ version: 6, address: 0xffff01020304n, prefix: 128 });
  });
  it('refuses what is not a CIDR', () => {
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '256.0.0.0/8', '::/129', '1::2::3/64', '1:2:3:4:5:6:7:8:9/64', '0/0', '${var.cidr}']) expect([bad, parseCidr(bad)]).toEqual([bad, undefined]);
  });
});

describe('fitName', () => {
  it('keeps short names and cuts long ones to a stable, unique length', () => {
    expect(fitName('chat-dev-web', 32)).toBe('chat-dev-web');
    const a = fitName('a-very-long-environment-name-compute-websocket', 32);
    const b = fitName('a-very-long-environment-name-compute-websocket2', 32);
    expect(a).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(fitName('a-very-long-environment-name-compute-websocket', 32)).toBe(a);
    expect(fitName('x'.repeat(70), 64, '-exec')).toMatch(/^x+-[0-9a-f]{6}-exec$/);
    expect(fitName('x'.repeat(70), 64, '-exec')).toHaveLength(64);
  });
});

describe('networkModel', () => {
  it('derives NAT gateways from natGateways', () => {
    expect(networkModel(dev()).natGateways).toHaveLength(1);
    expect(networkModel(dev()).privateRouteNat).toEqual([0, 0]);
    expect(networkModel(prod()).natGateways.map((n) => n.subnetIndex)).toEqual([0, 1, 2]);
    expect(networkModel(prod()).privateRouteNat).toEqual([0, 1, 2]);
    const none = modelContext(withSpec(devEnvironment(), (s) => { s.network.natGateways = 0; delete s.compute; delete s.data.postgres; delete s.observability; }), LOCAL_TARGET);
    expect(networkModel(none).privateRouteNat).toEqual([undefined, undefined]);
  });
  it('opens services only to the ALB on public service ports, to each other on service ports, and data stores only to services', () => {
    const groups = Object.fromEntries(networkModel(dev()).securityGroups.map((g) => [g.key, g]));
    expect(groups.services.ingress).toEqual([
      { description: 'from the ALB on 8000', port: 8000, peer: 'alb' },
      { description: 'from services on 8000', port: 8000, peer: 'services' },
    ]);
    expect(groups.services.egress.filter((r) => r.peer === 'services')).toEqual([{ description: 'to services on 8000', port: 8000, peer: 'services' }]);
    expect(groups.postgres.ingress).toEqual([expect.objectContaining({ port: 5432, peer: 'services' })]);
    expect(groups.redis.ingress).toEqual([expect.objectContaining({ port: 6379, peer: 'services' })]);
    expect(groups.alb.ingress.map((r) => [r.port, r.cidr])).toEqual([[443, '0.0.0.0/0'], [80, '0.0.0.0/0']]);
  });
  it('lets services reach each other on every port a service listens on (each once), public or private, and no other', () => {
    const ctx = modelContext(withSpec(devEnvironment(), (s) => {
      s.compute.services.push({ name: 'search', image: 'x', port: 7700 }, { name: 'admin', image: 'x', port: 7700 });
    }), LOCAL_TARGET);
    const services = networkModel(ctx).securityGroups.find((g) => g.key === 'services')!;
    expect(services.ingress.filter((r) => r.peer === 'services').map((r) => r.port)).toEqual([7700, 8000]);
    expect(services.egress.filter((r) => r.peer === 'services').map((r) => r.port)).toEqual([7700, 8000]);
    // The ALB still reaches only the public service's port.
    expect(services.ingress.filter((r) => r.peer === 'alb').map((r) => r.port)).toEqual([8000]);
  });
});

describe('computeModel: service discovery', () => {
  it('names every service <service>.<environment>.internal in one Cloud Map namespace per environment', () => {
    const model = computeModel(dev());
    expect(model.discovery).toEqual({ namespaceName: 'chat-dev.internal', description: 'terrace chat-dev: services by name', ttl: 10 });
    expect(model.services.map((s) => s.discovery)).toEqual([
      { name: 'web', dnsName: 'web.chat-dev.internal' },
      { name: 'worker', dnsName: 'worker.chat-dev.internal' },
    ]);
    expect(privateDnsName('chat-dev', 'chat-api')).toBe('chat-api.chat-dev.internal');
  });
});

describe('dataModel', () => {
  it('preloads only the extensions that need it', () => {
    expect(postgresParameters(['pgvector', 'postgis'], 'db')).toEqual([{ name: 'rds.force_ssl', value: '1' }]);
    const params = postgresParameters(['pg_cron', 'pg_stat_statements', 'auto_explain', 'pgvector'], 'app');
    expect(params).toContainEqual({ name: 'shared_preload_libraries', value: 'pg_stat_statements,pg_cron,auto_explain' });
    expect(params).toContainEqual({ name: 'cron.database_name', value: 'app' });
  });
  it('names FIFO queues and their DLQs with .fifo', () => {
    const [plain, fifo] = dataModel(dev()).queues;
    expect([plain.name, plain.dlqName]).toEqual(['chat-dev-data-default', 'chat-dev-data-default-dlq']);
    expect([fifo.name, fifo.dlqName]).toEqual(['chat-dev-data-notifications.fifo', 'chat-dev-data-notifications-dlq.fifo']);
    expect(fifo.urlEnvVar).toBe('QUEUE_NOTIFICATIONS_URL');
  });
  it('fails over only with replicas', () => {
    expect(dataModel(dev()).redis).toMatchObject({ automaticFailover: false, numCacheClusters: 1 });
    expect(dataModel(prod()).redis).toMatchObject({ automaticFailover: true, numCacheClusters: 3, memberClusterIds: ['chat-prod-data-redis-001', 'chat-prod-data-redis-002', 'chat-prod-data-redis-003'] });
  });
  it('uses ElastiCache\'s default parameter group unless a maxmemory-policy is set, then one of its own in the engine\'s family', () => {
    expect(dataModel(dev()).redis).toMatchObject({ engineVersion: '7.1', parameterGroupName: 'default.redis7', parameterGroup: undefined });
    const env = withSpec(devEnvironment(), (s) => (s.data.redis.maxmemoryPolicy = 'allkeys-lfu'));
    expect(dataModel(modelContext(env, LOCAL_TARGET)).redis).toMatchObject({
      parameterGroupName: 'chat-dev-data-redis-redis7',
      parameterGroup: { name: 'chat-dev-data-redis-redis7', family: 'redis7', parameters: [{ name: 'maxmemory-policy', value: 'allkeys-lfu' }] },
    });
  });
  it('runs no reader by default; readers after the writer, the first as failover standby', () => {
    expect(dataModel(dev()).postgres).toMatchObject({ instanceId: 'chat-dev-data-pg-1', readers: [] });
    const env = withSpec(devEnvironment(), (s) => (s.data.postgres.readers = 3));
    expect(dataModel(modelContext(env, LOCAL_TARGET)).postgres!.readers).toEqual([
      { instanceId: 'chat-dev-data-pg-2', promotionTier: 1, azIndex: 0 },
      { instanceId: 'chat-dev-data-pg-3', promotionTier: 2, azIndex: 1 },
      { instanceId: 'chat-dev-data-pg-4', promotionTier: 2, azIndex: 2 },
    ]);
  });
});

describe('frontendModel', () => {
  it('has no custom headers unless the spec sets some, then keeps them in order, as written', () => {
    expect(frontendModel(dev()).customHeaders).toEqual([]);
    const env = withSpec(devEnvironment(), (s) => (s.frontend.headers = { 'X-Robots-Tag': 'noindex', 'Cache-Control': 'max-age=${n}' }));
    expect(frontendModel(modelContext(env, LOCAL_TARGET)).customHeaders).toEqual([{ header: 'X-Robots-Tag', value: 'noindex' }, { header: 'Cache-Control', value: 'max-age=${n}' }]);
    expect(frontendModel(prod()).customHeaders).toEqual([{ header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' }]);
  });
  it('sets the security headers the Render import compares against', () => {
    const h = frontendModel(prod()).securityHeaders;
    expect(TERRACE_SECURITY_HEADERS).toEqual({
      'Strict-Transport-Security': `max-age=${h.hstsSeconds}; includeSubDomains; preload`,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': h.frameOptions,
      'Referrer-Policy': h.referrerPolicy,
      'X-XSS-Protection': '1; mode=block',
    });
  });
});

describe('computeModel', () => {
  it('sizes the ALB for WebSockets and routes path services by rule', () => {
    const env = withSpec(devEnvironment(), (s) => {
      s.compute.services.push({ name: 'api', image: 'x', public: true, port: 9000, paths: ['/api/*'], websocket: { idleTimeoutSeconds: 4000 } });
    });
    const model = computeModel(modelContext(env, LOCAL_TARGET));
    expect(model.alb).toMatchObject({ idleTimeoutSeconds: 4000, defaultService: 'web', sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    const api = model.services.find((s) => s.name === 'api')!;
    expect(api.target).toMatchObject({ rule: { priority: 110, paths: ['/api/*'] }, deregistrationDelay: 120, stickinessSeconds: 86400 });
    expect(model.services.find((s) => s.name === 'worker')!.target).toBeUndefined();
  });
  it("injects data endpoints, but the user's env wins", () => {
    const env = withSpec(devEnvironment(), (s) => (s.compute.services[0].env.DATABASE_HOST = 'pgbouncer.internal'));
    const [web, worker] = computeModel(modelContext(env, LOCAL_TARGET)).services;
    expect(web.injectedEnv.map((v) => v.name)).not.toContain('DATABASE_HOST');
    expect(worker.injectedEnv.map((v) => v.name)).toEqual(expect.arrayContaining(['DATABASE_HOST', 'REDIS_URL', 'QUEUE_DEFAULT_URL', 'QUEUE_NOTIFICATIONS_URL']));
    // The app user with IAM tokens, never the master secret (it rotates; ECS reads secrets only at task start).
    expect(worker.injectedSecrets.map((v) => v.name)).toEqual(['REDIS_AUTH_TOKEN']);
    expect(worker.injectedEnv.filter((v) => v.name.startsWith('DATABASE_'))).toEqual([
      { name: 'DATABASE_HOST', value: [{ tier: 'data', output: 'postgresEndpoint' }] },
      { name: 'DATABASE_PORT', value: ['5432'] },
      { name: 'DATABASE_NAME', value: ['chat_dev'] },
      { name: 'DATABASE_USER', value: ['terrace_app'] },
      { name: 'DATABASE_IAM_AUTH', value: ['true'] },
      { name: 'DATABASE_SSLMODE', value: ['require'] },
    ]);
  });
  it('injects the reader endpoint as DATABASE_READ_HOST only when there are readers', () => {
    const names = (env: ReturnType<typeof devEnvironment>) => computeModel(modelContext(env, LOCAL_TARGET)).services[0].injectedEnv;
    expect(names(devEnvironment()).map((v) => v.name)).not.toContain('DATABASE_READ_HOST');
    const withReaders = names(withSpec(devEnvironment(), (s) => (s.data.postgres.readers = 1)));
    expect(withReaders).toContainEqual({ name: 'DATABASE_READ_HOST', value: [{ tier: 'data', output: 'postgresReaderEndpoint' }] });
    expect(tierOutputNames(dev(), 'data')).toContain('postgresReaderEndpoint');
  });
  it('names generated secrets terrace/<environment>/<service>/<NAME>, sorted, and lets them win over injected variables', () => {
    const env = withSpec(devEnvironment(), (s) => (s.compute.services[0].generatedSecrets = ['SESSION_KEY', 'DATABASE_PASSWORD']));
    const [web, worker] = computeModel(modelContext(env, LOCAL_TARGET)).services;
    expect(web.generatedSecrets).toEqual([
      { name: 'DATABASE_PASSWORD', secretName: 'terrace/chat-dev/web/DATABASE_PASSWORD', length: 48, excludePunctuation: true },
      { name: 'SESSION_KEY', secretName: 'terrace/chat-dev/web/SESSION_KEY', length: 48, excludePunctuation: true },
    ]);
    expect(web.injectedSecrets.map((v) => v.name)).not.toContain('DATABASE_PASSWORD');
    expect(worker.generatedSecrets).toEqual([]);
  });
  it('names the ECR repositories the images come from', () => {
    const { environment, target } = awsExample('chat-staging');
    const ctx = modelContext(environment, target);
    expect(computeModel(ctx).services[0].ecrRepositoryArns).toEqual(['arn:aws:ecr:eu-west-1:222222222222:repository/chat']);
  });
});

describe('observabilityModel', () => {
  it('alarms on every declared part, and nothing for tiers that are not declared', () => {
    const names = observabilityModel(prod()).alarms.map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['chat-prod-alb-5xx', 'chat-prod-alb-target-response-time', 'chat-prod-web-cpu', 'chat-prod-worker-memory', 'chat-prod-postgres-cpu', 'chat-prod-postgres-connections', 'chat-prod-redis-memory-3', 'chat-prod-default-dlq-depth', 'chat-prod-notifications-oldest-message']));
    const onlyFrontend = withSpec(devEnvironment(), (s) => {
      delete s.network; delete s.data; delete s.compute;
    });
    // The frontend's own: CloudFront's 5xx rate.
    expect(observabilityModel(modelContext(onlyFrontend, LOCAL_TARGET)).alarms.map((a) => a.name)).toEqual(['chat-dev-cloudfront-5xx-rate']);
  });
});

describe('tierOutputNames', () => {
  it('drops outputs of parts the spec leaves out', () => {
    const noRedis = modelContext(withSpec(devEnvironment(), (s) => delete s.data.redis), LOCAL_TARGET);
    expect(tierOutputNames(noRedis, 'data')).not.toContain('redisEndpoint');
    expect(tierOutputNames(dev(), 'data')).toContain('redisEndpoint');
    const noPublic = modelContext(withSpec(devEnvironment(), (s) => {
      s.compute.services[0].public = false; delete s.compute.services[0].websocket; delete s.compute.services[0].autoscaling.requestsPerTarget;
    }), LOCAL_TARGET);
    expect(tierOutputNames(noPublic, 'compute')).not.toContain('albDnsName');
  });
});
