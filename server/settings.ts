import { hostname } from 'node:os';
import { resolve } from 'node:path';
import cron from 'node-cron';
import { parseInterval } from '../specs/environment.ts';
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from '../api/rate-limit.ts';

/** Everything the control plane reads from its environment, checked once at start. */
export interface Settings {
  port: number;
  host: string;
  dataDir: string;
  table?: string;
  endpoint?: string;
  region?: string;
  concurrency: number;
  /** Verifications (spec.verify) run at once, apart from the terraform workers. */
  verifyConcurrency: number;
  resync: string;
  terraformTimeoutMs: number;
  leaseTtlMs: number;
  logLevel: string;
  prettyLogs: boolean;
  /** Apply the example dev environment on a first start with an empty embedded store. */
  seedExample: boolean;
  replicaId: string;
  /** TERRACE_TRUST_PROXY: true, or comma-separated addresses/CIDRs of the proxies (the ALB's subnets). */
  trustProxy: boolean | string;
  /** TERRACE_PROVIDER_MIRROR: a filesystem mirror terraform installs its providers from (the image's). */
  providerMirror?: string;
  /** Speculative plans (`terrace diff`) at once, apart from the controller's terraform workers. */
  planConcurrency: number;
  /** How long one speculative plan may take, every tier included. */
  planTimeoutMs: number;
  /** TERRACE_RATE_LIMIT: API requests a minute per token (per address without a valid one). */
  rateLimitPerMinute: number;
  /** TERRACE_CACHE_POLL: how often the read cache lists the store; another replica's writes show here within it. Unset: main.ts decides by mode. */
  cachePollMs?: number;
}

export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) problems.push(`${name}=${raw}: must be a whole number from ${min} to ${max}`);
    return n;
  };
  const duration = (name: string, fallback: string, max: string, min = '0s'): number => {
    const raw = env[name] || fallback;
    try {
      const ms = parseDuration(raw);
      if (ms > parseDuration(max)) problems.push(`${name}=${raw}: at most ${max}`);
      if (ms < parseDuration(min)) problems.push(`${name}=${raw}: at least ${min}`);
      return ms;
    } catch {
      problems.push(`${name}=${raw}: must be a duration like 30s, 30m, 2h or 1d`);
      return 0;
    }
  };
  const resync = env.TERRACE_RESYNC || '*/30 * * * * *';
  if (!cron.validate(resync)) problems.push(`TERRACE_RESYNC=${resync}: not a cron expression (six fields allowed, e.g. */30 * * * * *)`);
  const logFormat = env.TERRACE_LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json');
  if (!['pretty', 'json'].includes(logFormat)) problems.push(`TERRACE_LOG_FORMAT=${logFormat}: must be pretty or json`);

  const settings: Settings = {
    port: int('PORT', 8080, 0, 65535),
    // Loopback unless asked: the container image sets HOST=0.0.0.0.
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.TERRACE_DATA_DIR || '.terrace'),
    table: env.TERRACE_TABLE || undefined,
    endpoint: env.TERRACE_DYNAMODB_ENDPOINT || undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    concurrency: int('TERRACE_CONCURRENCY', 4, 1, 64),
    verifyConcurrency: int('TERRACE_VERIFY_CONCURRENCY', 2, 1, 64),
    resync,
    terraformTimeoutMs: duration('TERRACE_TERRAFORM_TIMEOUT', '30m', '24h', '1m'),
    // Renewed every third of its life; a dead replica's environments wait this long for another one.
    leaseTtlMs: duration('TERRACE_LEASE_TTL', '60s', '1h', '10s'),
    logLevel: env.TERRACE_LOG_LEVEL || 'info',
    prettyLogs: logFormat === 'pretty',
    seedExample: env.TERRACE_SEED_EXAMPLE !== 'false',
    // Embedded: the data dir's LevelDB lock admits one process, so a restart may reclaim its own leases at once.
    replicaId: env.TERRACE_REPLICA_ID || (env.TERRACE_TABLE ? `${hostname()}-${process.pid}` : `${hostname()}-embedded`),
    trustProxy: trustProxy(env.TERRACE_TRUST_PROXY),
    providerMirror: env.TERRACE_PROVIDER_MIRROR ? resolve(env.TERRACE_PROVIDER_MIRROR) : undefined,
    planConcurrency: int('TERRACE_PLAN_CONCURRENCY', 2, 1, 64),
    planTimeoutMs: duration('TERRACE_PLAN_TIMEOUT', '10m', '2h', '1s'),
    rateLimitPerMinute: int('TERRACE_RATE_LIMIT', DEFAULT_RATE_LIMIT_PER_MINUTE, 1, 1_000_000),
    cachePollMs: env.TERRACE_CACHE_POLL ? duration('TERRACE_CACHE_POLL', '1s', '60s', '1s') : undefined,
  };
  if (settings.endpoint && !settings.table) problems.push('TERRACE_DYNAMODB_ENDPOINT needs TERRACE_TABLE');
  if (problems.length > 0) throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return settings;
}

/** A duration in seconds (`45s`) or any interval the specs accept (`30m`, `2h`, `1d`). */
function parseDuration(text: string): number {
  const seconds = /^([0-9]+)s$/.exec(text);
  return seconds ? Number(seconds[1]) * 1000 : parseInterval(text);
}

function trustProxy(raw: string | undefined): boolean | string {
  if (!raw || raw === 'false') return false;
  return raw === 'true' ? true : raw;
}
