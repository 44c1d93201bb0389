// The API as `terrace serve` runs it (buildApp over a CachedStore over the embedded store), without the controller,
// in a process of its own so that the load generator does not share its event loop. Forked by api.bench.ts:
// it seeds, listens on loopback and reports over IPC; asked, it reports how many reads reached the store.
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildApp } from '../api/app.ts';
import { hashToken } from '../api/auth/tokens.ts';
import { devEnvironment } from '../constructs/testing/fixtures.ts';
import { CachedStore, EMBEDDED_CACHE_POLL_MS } from '../specs/store/cached-store.ts';
import { DynamoStore } from '../specs/store/dynamo-store.ts';
import { startEmbeddedDynamo } from '../specs/store/embedded.ts';
import { ensureTable } from '../specs/store/table.ts';
import type { EnvironmentStatus } from '../specs/status.ts';
import { localTarget } from '../specs/target.ts';

export interface ServerReady { type: 'ready'; url: string; tokens: string[]; names: string[]; pollCpuMs: number }
export interface ReadCount { type: 'reads'; reads: number; polls: number; cpuMicros: number }

const ENVIRONMENTS = Number(process.env.BENCH_ENVIRONMENTS ?? 200);
const TOKENS = 10;
const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);

/** What an applied five-tier environment's status looks like (sizes as the controller writes them). */
export function appliedStatus(at: string): EnvironmentStatus {
  const ready = (reason: string) => ({ type: 'Ready', status: 'True' as const, reason, message: 'applied', lastTransitionTime: at, observedGeneration: 1 });
  const tier = (outputs: Record<string, string>) => ({
    conditions: [ready('Applied'), { ...ready('NoDrift'), type: 'Drifted', status: 'False' as const }],
    outputs,
    lastAppliedHash: 'a'.repeat(64),
    lastAppliedAt: at,
    lastCheckedAt: at,
    lastPlan: { id: `p-${'b'.repeat(12)}`, add: 3, change: 0, destroy: 0 },
  });
  return {
    observedGeneration: 1,
    conditions: [ready('AllTiersReady'), { ...ready('Verified'), type: 'Verified' }],
    tiers: {
      network: tier({ vpcId: 'vpc-0123456789abcdef0', privateSubnetIds: 'subnet-0a,subnet-0b', publicSubnetIds: 'subnet-1a,subnet-1b' }),
      data: tier({ postgresEndpoint: 'db.cluster-abc.eu-west-1.rds.amazonaws.com', redisEndpoint: 'redis.abc.cache.amazonaws.com' }),
      compute: tier({ albDnsName: 'chat-dev-123.eu-west-1.elb.amazonaws.com', clusterName: 'chat-dev' }),
      frontend: tier({ distributionDomainName: 'd111111abcdef8.cloudfront.net', bucketName: 'chat-dev-frontend' }),
      observability: tier({ dashboardName: 'chat-dev' }),
    },
  };
}

async function main() {
  const dynamo = await startEmbeddedDynamo();
  const client = () => new DynamoDBClient({ region: 'local', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const served = client();
  let reads = 0;
  const writing = new AsyncLocalStorage<boolean>(); // the writer's own read-backs are the controller's, not the API's
  // Every read the API process sends to the store, the cache's polls included.
  served.middlewareStack.add((next, context) => async (args) => {
    if (READS.has(context.commandName ?? '') && !writing.getStore()) reads++;
    return next(args);
  }, { step: 'initialize', name: 'countReads' });
  await ensureTable(served, 'terrace');
  const store = new DynamoStore({ client: served, table: 'terrace' });
  // Seeding is another replica's (its reads are not the API's); status changes go through `store`, as the
  // controller's writes do.
  const other = new DynamoStore({ client: client(), table: 'terrace' });
  await other.create(localTarget());
  const names = Array.from({ length: ENVIRONMENTS }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
  const at = new Date().toISOString();
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(names.slice(i, i + 20).map(async (name) => {
      await other.create(devEnvironment(name));
      await other.updateStatus(name, appliedStatus(at));
    }));
  }
  const tokens = Array.from({ length: TOKENS }, (_, i) => `trc_bench-token-${i}-padding-padding-padding`);
  for (const [i, token] of tokens.entries()) await other.putToken({ hash: hashToken(token), name: `bench-${i}`, scopes: ['read'], createdAt: at });

  // As npm start runs it on the embedded store: every write goes through `store`, which tells the cache; polls are
  // a safety net (EMBEDDED_CACHE_POLL_MS). An idle poll is what an external table's cache pays every second.
  const cached = CachedStore.over(store, { pollMs: Number(process.env.BENCH_CACHE_POLL_MS ?? EMBEDDED_CACHE_POLL_MS) });
  await cached.sync();
  const cpu = process.cpuUsage();
  for (let i = 0; i < 5; i++) await cached.sync();
  const used = process.cpuUsage(cpu);
  const pollCpuMs = (used.user + used.system) / 1000 / 5;
  cached.start();
  // A rate limit far above what is sent: the bench measures the API, not the limiter's 429s (it still runs).
  const app = await buildApp({ store: cached, logger: false, rateLimit: { max: 100_000_000, timeWindowMs: 60_000 } });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });

  let writer: NodeJS.Timeout | undefined;
  process.on('message', (message: { type: string; perSecond?: number }) => {
    if (message.type === 'reads') process.send!({ type: 'reads', reads, polls: cached.stats.polls, cpuMicros: process.cpuUsage().user + process.cpuUsage().system } satisfies ReadCount);
    if (message.type === 'writer') {
      // Status changes elsewhere, round robin over the environments, so that watches have something to send.
      clearInterval(writer);
      let n = 0;
      if (message.perSecond) {
        writer = setInterval(() => void writing.run(true, () => store.updateStatus(names[n++ % names.length], appliedStatus(new Date().toISOString()))).catch(() => undefined), 1000 / message.perSecond);
      }
    }
    if (message.type === 'stop') {
      clearInterval(writer);
      void app.close().then(() => cached.close()).then(() => other.close()).then(() => dynamo.stop()).then(() => process.exit(0));
    }
  });
  process.send!({ type: 'ready', url, tokens, names, pollCpuMs } satisfies ServerReady);
}

if (process.send) await main();
