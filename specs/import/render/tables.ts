// How Render's plans and regions translate to AWS sizes. Each row is the smallest AWS size with at least the
// plan's CPU and memory (Render's published plan sizes), so an imported app never gets less than it had.

/** Render instance plan -> Fargate task size (cpu units, MiB). Every pair is in FARGATE_SIZES (tested). */
export const SERVICE_PLANS: Record<string, { cpu: number; memory: number }> = {
  free: { cpu: 256, memory: 512 }, // 0.1 CPU, 512 MB
  starter: { cpu: 512, memory: 1024 }, // 0.5 CPU, 512 MB
  'starter plus': { cpu: 1024, memory: 2048 }, // older plan: 1 CPU, 1 GB
  standard: { cpu: 1024, memory: 2048 }, // 1 CPU, 2 GB
  'standard plus': { cpu: 2048, memory: 4096 }, // older plan: 1.5 CPU, 3 GB
  pro: { cpu: 2048, memory: 4096 }, // 2 CPU, 4 GB
  'pro plus': { cpu: 4096, memory: 8192 }, // 4 CPU, 8 GB
  'pro max': { cpu: 4096, memory: 16384 }, // 4 CPU, 16 GB
  'pro ultra': { cpu: 8192, memory: 32768 }, // 8 CPU, 32 GB
};
/** Render's default instance plan for services. */
export const DEFAULT_SERVICE_PLAN = 'starter';

/** Render Postgres plan -> Aurora Serverless v2 capacity (ACUs; one ACU is about 2 GiB of memory). */
const LEGACY_DATABASE_PLANS: Record<string, { minCapacity: number; maxCapacity: number }> = {
  free: { minCapacity: 0, maxCapacity: 1 }, // 256 MB; 0 lets Aurora pause when idle
  starter: { minCapacity: 0.5, maxCapacity: 1 }, // 256 MB
  standard: { minCapacity: 0.5, maxCapacity: 2 }, // 1 GB
  pro: { minCapacity: 1, maxCapacity: 4 }, // 4 GB
  'pro plus': { minCapacity: 2, maxCapacity: 8 }, // 8 GB
};

/**
 * A database plan's capacity: the older named plans by the table above, the current sized plans
 * (`basic-256mb`, `pro-8gb`, `accelerated-64gb`) by their memory: max = memory / 2 GiB (at least 1), min = a
 * quarter of it (at least 0.5). Undefined for a plan it does not know.
 */
export function databaseCapacity(plan: string): { minCapacity: number; maxCapacity: number } | undefined {
  const key = normalizePlan(plan);
  if (LEGACY_DATABASE_PLANS[key]) return LEGACY_DATABASE_PLANS[key];
  const m = /^(basic|pro|accelerated) ([0-9]+)(mb|gb)$/.exec(key);
  if (!m) return undefined;
  const gib = m[3] === 'gb' ? Number(m[2]) : Number(m[2]) / 1024;
  const maxCapacity = Math.min(256, Math.max(1, halfUp(gib / 2)));
  return { minCapacity: Math.max(0.5, halfUp(maxCapacity / 4)), maxCapacity };
}

/** Render Key Value plan -> ElastiCache node type (memory at least the plan's) and replicas. */
export const KEY_VALUE_PLANS: Record<string, { nodeType: string; replicas: number }> = {
  free: { nodeType: 'cache.t4g.micro', replicas: 0 }, // 25 MB
  starter: { nodeType: 'cache.t4g.micro', replicas: 0 }, // 256 MB (micro: 0.5 GiB)
  standard: { nodeType: 'cache.t4g.small', replicas: 1 }, // 1 GB (small: 1.37 GiB)
  pro: { nodeType: 'cache.m7g.large', replicas: 1 }, // 5 GB (6.38 GiB)
  'pro plus': { nodeType: 'cache.r7g.large', replicas: 1 }, // 10 GB (13.07 GiB)
};

/** Render region -> the AWS region in the same place (advice: the Target decides). */
export const REGIONS: Record<string, string> = {
  oregon: 'us-west-2',
  ohio: 'us-east-2',
  virginia: 'us-east-1',
  frankfurt: 'eu-central-1',
  singapore: 'ap-southeast-1',
};
export const DEFAULT_REGION = 'oregon';

/** Render `postgresMajorVersion` -> an Aurora PostgreSQL engine version of that major. */
export const POSTGRES_VERSIONS: Record<string, string> = {
  '13': '13.18',
  '14': '14.15',
  '15': '15.10',
  '16': '16.6',
  '17': '17.4',
};

/** Spellings seen in real files: `Standard`, `starter_plus`, `basic-256mb` -> `standard`, `starter plus`, `basic 256mb`. */
export function normalizePlan(plan: string): string {
  return plan.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

/** Rounded up to a multiple of 0.5 (Aurora's capacity step). */
function halfUp(n: number): number {
  return Math.ceil(n * 2) / 2;
}
