import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from './limits.ts';
import { MAX_FRONTEND_HEADERS, MAX_FRONTEND_HEADERS_LENGTH } from './frontend-headers.ts';
import { documentSchema, Name, StringEnum } from './meta.ts';
import { Verify } from './verify.ts';

export const TIERS = ['network', 'data', 'compute', 'frontend', 'observability'] as const;
export type Tier = (typeof TIERS)[number];

/** What each tier needs applied first. Order of TIERS is a valid apply order. */
export const TIER_DEPENDENCIES: Record<Tier, readonly Tier[]> = {
  network: [],
  data: ['network'],
  compute: ['network', 'data'],
  frontend: [],
  observability: ['network', 'data', 'compute', 'frontend'],
};

export const POSTGRES_EXTENSIONS = [
  'pg_stat_statements', 'pgvector', 'postgis', 'pg_trgm', 'hstore', 'uuid-ossp', 'citext', 'pgcrypto',
  'btree_gin', 'btree_gist', 'unaccent', 'pg_cron', 'auto_explain', 'pg_partman',
] as const;

/** Redis's eviction policies (`maxmemory-policy`). */
export const REDIS_MAXMEMORY_POLICIES = [
  'noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl',
] as const;

/** Fargate task sizes: cpu units to the memory sizes (MiB) that AWS accepts with it. */
export const FARGATE_SIZES: Record<number, readonly number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};
function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const Domain = Type.Object(
  {
    name: Type.String({ pattern: '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$', description: 'fully qualified domain name' }),
    certificateArn: Type.String({ pattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$', description: 'ACM certificate for the domain' }),
  },
  { additionalProperties: false },
);

/** A web ACL in front of a public endpoint: AWS's common rule set and a rate limit per client address. */
const Waf = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    rateLimit: Type.Integer({ default: 2000, minimum: 100, maximum: 2_000_000_000, description: 'requests one IP address may make in 5 minutes before WAF blocks it' }),
  },
  { additionalProperties: false, default: {}, description: 'on by default for public endpoints' },
);

/** CloudFront's Content-Security-Policy when the spec sets none: same-origin app, no plugins, no framing. */
export const DEFAULT_CONTENT_SECURITY_POLICY =
  "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; img-src 'self' data: https:; font-src 'self' data: https:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self' https: wss:";

const Network = Type.Object(
  {
    cidr: Type.String({ default: '10.0.0.0/16', pattern: '^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$', description: 'VPC CIDR, /16 to /24' }),
    azCount: Type.Union([Type.Literal(2), Type.Literal(3)], { default: 2 }),
    natGateways: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal('perAz')], { default: 1, description: '0, 1, or perAz (one per AZ)' }),
    interfaceEndpoints: Type.Boolean({ default: false, description: 'VPC interface endpoints for ECR, Secrets Manager, SQS, CloudWatch Logs and STS (billed per AZ and hour); the S3 gateway endpoint is always there' }),
    albDeletionProtection: Type.Boolean({ default: true, description: 'the ALB refuses deletion; set false before removing compute or the environment' }),
    waf: Waf,
  },
  { additionalProperties: false },
);

const Postgres = Type.Object(
  {
    engineVersion: Type.String({ default: '16.6', pattern: '^[0-9]{2}(\\.[0-9]{1,2})?$' }),
    minCapacity: Type.Number({ default: 0.5, minimum: 0, maximum: 256, multipleOf: 0.5, description: 'Aurora Serverless v2 ACUs' }),
    maxCapacity: Type.Number({ default: 4, minimum: 1, maximum: 256, multipleOf: 0.5 }),
    extensions: Type.Array(StringEnum(POSTGRES_EXTENSIONS), { default: [], uniqueItems: true }),
    backupRetentionDays: Type.Integer({ default: 7, minimum: 1, maximum: 35 }),
    deletionProtection: Type.Boolean({ default: true }),
    readers: Type.Integer({ default: 0, minimum: 0, maximum: 15, description: 'Aurora Serverless v2 reader instances beside the one writer, spread across the AZs (Aurora allows 15)' }),
    readerAutoscaling: Type.Optional(
      Type.Object(
        {
          maxReaders: Type.Integer({ minimum: 1, maximum: 15, description: 'most readers Application Auto Scaling may run; the least is readers' }),
          cpuTarget: Type.Integer({ default: 70, minimum: 10, maximum: 90, description: 'average reader CPU % to hold' }),
        },
        { additionalProperties: false, description: 'off when absent: readers Application Auto Scaling adds live outside terraform state' },
      ),
    ),
  },
  { additionalProperties: false },
);

const Redis = Type.Object(
  {
    nodeType: Type.String({ default: 'cache.t4g.small', pattern: '^cache\\.[a-z0-9]+\\.[a-z0-9]+$' }),
    replicas: Type.Integer({ default: 1, minimum: 0, maximum: 5 }),
    maxmemoryPolicy: Type.Optional(StringEnum(REDIS_MAXMEMORY_POLICIES, { description: 'what Redis evicts when full; absent: ElastiCache\'s default parameter group (volatile-lru)' })),
  },
  { additionalProperties: false },
);

const Queue = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,70}$' }),
    fifo: Type.Boolean({ default: false }),
    visibilityTimeoutSeconds: Type.Integer({ default: 60, minimum: 0, maximum: 43200 }),
    maxReceiveCount: Type.Integer({ default: 5, minimum: 1, maximum: 1000, description: 'receives before a message moves to the dead-letter queue' }),
  },
  { additionalProperties: false },
);

const Data = Type.Object(
  {
    postgres: Type.Optional(Postgres),
    redis: Type.Optional(Redis),
    queues: Type.Array(Queue, { default: [] }),
  },
  { additionalProperties: false },
);

const EnvName = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });

const Service = Type.Object(
  {
    name: Name,
    image: Type.String({ minLength: 1, maxLength: 1024 }),
    command: Type.Optional(Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 64 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'the port the container listens on; absent: none (a worker), or 8000 for a public service' })),
    singleton: Type.Optional(Type.Boolean({ description: 'at most one task ever (Celery beat): deploys stop the old task before starting the new one, never autoscales' })),
    cpu: Type.Integer({ default: 512, description: 'Fargate CPU units' }),
    memory: Type.Integer({ default: 1024, description: 'MiB; must pair with cpu' }),
    desiredCount: Type.Integer({ default: 1, minimum: 0, maximum: 100 }),
    autoscaling: Type.Optional(
      Type.Object(
        {
          min: Type.Integer({ minimum: 0, maximum: 1000 }),
          max: Type.Integer({ minimum: 1, maximum: 1000 }),
          cpuTarget: Type.Integer({ default: 60, minimum: 10, maximum: 95 }),
          requestsPerTarget: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          connectionsPerTarget: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'WebSocket connections per task to hold (ALB ActiveConnectionCount per healthy target)' })),
          queue: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,70}$', description: 'a data.queues name this service consumes: scales on its visible messages' })),
          messagesPerTask: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'visible messages per task to hold (default 100)' })),
        },
        { additionalProperties: false },
      ),
    ),
    public: Type.Boolean({ default: false, description: 'behind the ALB on HTTPS' }),
    paths: Type.Optional(Type.Array(Type.String({ pattern: '^/[A-Za-z0-9_./*-]*$' }), { minItems: 1, maxItems: 5, description: 'ALB path patterns, when several services are public' })),
    healthCheckPath: Type.String({ default: '/', pattern: '^/[A-Za-z0-9_./?=&-]*$' }),
    stopTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 2, maximum: 120, description: 'seconds between SIGTERM and SIGKILL (Fargate allows 120), and the ALB\'s drain before it; default 30, 120 with websocket' })),
    websocket: Type.Optional(
      Type.Object(
        {
          idleTimeoutSeconds: Type.Integer({ default: 3600, minimum: 1, maximum: 4000 }),
          stickinessSeconds: Type.Integer({ default: 86400, minimum: 1, maximum: 604800 }),
        },
        { additionalProperties: false },
      ),
    ),
    env: Type.Record(EnvName, Type.String({ maxLength: 32768 }), { default: {}, maxProperties: LIMITS.envEntries, additionalProperties: false }),
    secrets: Type.Record(
      EnvName,
      Type.String({ pattern: '^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$', description: 'Secrets Manager secret name or ARN, never a value' }),
      { default: {}, maxProperties: LIMITS.secretEntries, additionalProperties: false },
    ),
    generatedSecrets: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 255 }), {
        maxItems: LIMITS.secretEntries,
        description: 'env var names; each gets a Secrets Manager secret terrace/<environment>/<service>/<NAME> with a random value AWS generates once (kept in terraform state, never in the spec)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A one-off run of a service's task definition on a schedule (what a cron job is on other platforms). */
const ScheduledTask = Type.Object(
  {
    name: Name,
    schedule: Type.String({ pattern: '^(cron\\([0-9A-Za-z*?,/#L -]+\\)|rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\))$', description: 'EventBridge Scheduler expression: cron(0 3 * * ? *) or rate(1 hour), in UTC' }),
    /** The service whose task definition runs: its image, size, env, secrets and roles. */
    service: Name,
    command: Type.Optional(Type.Array(Type.String({ maxLength: 4096 }), { minItems: 1, maxItems: 64, description: 'replaces the container command for this run' })),
  },
  { additionalProperties: false },
);

const Compute = Type.Object(
  {
    domain: Type.Optional(Domain),
    services: Type.Array(Service, { minItems: 1, maxItems: 20 }),
    schedules: Type.Optional(Type.Array(ScheduledTask, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

const Frontend = Type.Object(
  {
    domain: Type.Optional(Domain),
    spa: Type.Boolean({ default: true, description: 'serve index.html for unknown paths' }),
    priceClass: StringEnum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const, { default: 'PriceClass_100' }),
    contentSecurityPolicy: Type.String({ default: DEFAULT_CONTENT_SECURITY_POLICY, minLength: 1, maxLength: 1783, pattern: '^[\\x20-\\x7E]+$', description: 'Content-Security-Policy CloudFront sends (printable ASCII, at most 1783 characters)' }),
    waf: Waf,
    headers: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,99}$' }),
        Type.String({ minLength: 1, maxLength: MAX_FRONTEND_HEADERS_LENGTH, pattern: '^[\\x20-\\x7E]+$', description: 'printable ASCII' }),
        { maxProperties: MAX_FRONTEND_HEADERS, additionalProperties: false, description: 'response header name -> value, added by CloudFront to every response (custom headers of the response headers policy)' },
      ),
    ),
  },
  { additionalProperties: false },
);

const Observability = Type.Object(
  {
    cloudtrail: Type.Boolean({ default: true }),
    logRetentionDays: Type.Union(LOG_RETENTION_DAYS.map((d) => Type.Literal(d)), { default: 30 }),
    alarmEmail: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' })),
    xray: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

export const EnvironmentSpec = Type.Object(
  {
    target: Name,
    suspend: Type.Boolean({ default: false }),
    approval: StringEnum(['auto', 'manual'] as const, { default: 'auto' }),
    driftDetection: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        interval: Type.String({ default: '6h', pattern: '^[0-9]+(m|h|d)$', description: 'e.g. 30m, 6h, 1d' }),
      },
      { additionalProperties: false, default: {} },
    ),
    network: Type.Optional(Network),
    data: Type.Optional(Data),
    compute: Type.Optional(Compute),
    frontend: Type.Optional(Frontend),
    observability: Type.Optional(Observability),
    /** Checks of the deployed app: the Verified condition (specs/verify.ts). */
    verify: Type.Optional(Verify),
  },
  { additionalProperties: false },
);
export type EnvironmentSpec = Static<typeof EnvironmentSpec>;
export type ServiceSpec = Static<typeof Service>;
export type ScheduledTaskSpec = Static<typeof ScheduledTask>;
export type QueueSpec = Static<typeof Queue>;

export const Environment = documentSchema('Environment', EnvironmentSpec);
export type Environment = Static<typeof Environment>;

/** The tiers an environment declares, in apply order. */
export function declaredTiers(spec: EnvironmentSpec): Tier[] {
  return TIERS.filter((t) => spec[t] !== undefined);
}

/** The port a service's container listens on: as given, 8000 for a public service without one, none for a worker. */
export function servicePort(service: Pick<ServiceSpec, 'port' | 'public'>): number | undefined {
  return service.port ?? (service.public ? DEFAULT_PUBLIC_PORT : undefined);
}
export const DEFAULT_PUBLIC_PORT = 8000;

/** `6h` -> milliseconds. */
export function parseInterval(text: string): number {
  const m = /^([0-9]+)(m|h|d)$/.exec(text);
  if (!m) throw new Error(`not an interval: ${text}`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}
