// The API under load (autocannon) against a real server on loopback over the embedded store, in a process of its
// own (api-server.ts): status and list against /healthz, status at a fixed rate, and watch fan-out (store reads
// with 200 streams against 1). Ten read tokens, one per connection, and a limit far above the load: the
// rate limiter runs but is not what is measured.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { get, type ClientRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { ReadCount, ServerReady } from './api-server.ts';
import type { Figure } from './results.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const bench = 'api.bench.ts';

interface Load { rps: number; p99: number; p50: number; non2xx: number; errors: number }

async function load(url: string, tokens: string[], options: { connections: number; overallRate?: number; seconds?: number }): Promise<Load> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds ?? SECONDS,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    setupClient: (client: { setHeaders(h: Record<string, string>): void }) => client.setHeaders({ authorization: `Bearer ${tokens[next++ % tokens.length]}` }),
  });
  return { rps: result.requests.average, p99: result.latency.p99, p50: result.latency.p50, non2xx: result.non2xx, errors: result.errors };
}

function ask<T>(child: ChildProcess, type: string, extra: object = {}): Promise<T> {
  const answer = new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  child.send({ type, ...extra });
  return answer;
}

/** Store reads a second seen by the API process while `streams` watches are open and statuses change elsewhere. */
async function watchReads(child: ChildProcess, ready: ServerReady, streams: number): Promise<{ readsPerSecond: number; cpuPercent: number; events: number }> {
  let events = 0;
  const open: ClientRequest[] = [];
  await Promise.all(Array.from({ length: streams }, (_, i) => new Promise<void>((resolve, reject) => {
    const req = get(`${ready.url}/v1/environments/${ready.names[i % ready.names.length]}/watch`, { agent: false, headers: { authorization: `Bearer ${ready.tokens[i % ready.tokens.length]}` } }, (res) => {
      res.on('data', (chunk: Buffer) => (events += chunk.toString().split('event: status').length - 1));
      resolve();
    });
    req.on('error', reject);
    open.push(req);
  })));
  child.send({ type: 'writer', perSecond: 20 });
  const before = await ask<ReadCount>(child, 'reads');
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const after = await ask<ReadCount>(child, 'reads');
  const seconds = (performance.now() - started) / 1000;
  child.send({ type: 'writer', perSecond: 0 });
  for (const req of open) req.destroy();
  return { readsPerSecond: (after.reads - before.reads) / seconds, cpuPercent: ((after.cpuMicros - before.cpuMicros) / 1e6 / seconds) * 100, events };
}

export default async function run(): Promise<Figure[]> {
  // BENCH_PROFILE=<dir>: the server writes a CPU profile there (node --cpu-prof) when it stops.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork(fileURLToPath(new URL('./api-server.ts', import.meta.url)), { execArgv: [...profile, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const [ready] = (await once(child, 'message')) as [ServerReady];
    const { url, tokens, names } = ready;
    const status = `${url}/v1/environments/${names[0]}/status`;
    // BENCH_ONLY=<path> (with BENCH_PROFILE): one load of that path at concurrency 10, to profile it; records nothing.
    if (process.env.BENCH_ONLY) {
      console.log(process.env.BENCH_ONLY, await load(`${url}${process.env.BENCH_ONLY}`, tokens, { connections: 10, overallRate: Number(process.env.BENCH_RATE ?? 0) || undefined }));
      return [];
    }
    // Warm up (JIT, connection pools), then measure.
    await load(status, tokens, { connections: 10, seconds: 2 });
    const healthz = await load(`${url}/healthz`, tokens, { connections: 10 });
    const statusLoad = await load(status, tokens, { connections: 10 });
    const held = await load(status, tokens, { connections: 10, overallRate: 500, seconds: Math.max(SECONDS, 10) });
    const list = await load(`${url}/v1/environments?limit=100`, tokens, { connections: 10 });
    const listSingle = await load(`${url}/v1/environments?limit=100`, tokens, { connections: 1 });
    const one = await watchReads(child, ready, 1);
    const many = await watchReads(child, ready, 200);

    const failures = (l: Load) => (l.non2xx || l.errors ? `; ${l.non2xx} non-2xx, ${l.errors} errors` : '');
    const healthzBase = { name: '/healthz, concurrency 10', value: healthz.rps, unit: 'req/s' };
    const statusRatio = statusLoad.rps / healthz.rps;
    return [
      { bench, name: 'api: /healthz throughput, concurrency 10', value: healthz.rps, unit: 'req/s', note: `p99 ${healthz.p99} ms${failures(healthz)}` },
      {
        bench, name: 'api: GET .../status throughput, concurrency 10', value: statusLoad.rps, unit: 'req/s', baseline: healthzBase,
        ratio: statusRatio, target: 'ratio >= 0.30', holds: statusRatio >= 0.3 && !statusLoad.non2xx, note: `p99 ${statusLoad.p99} ms${failures(statusLoad)}`,
      },
      {
        bench, name: 'api: GET .../status at a fixed 500 req/s, p99', value: held.p99, unit: 'ms', baseline: { name: '/healthz p99 at concurrency 10', value: healthz.p99, unit: 'ms' },
        ratio: held.p99 / Math.max(healthz.p99, 1), target: '500 req/s held, p99 < 20 ms', holds: held.rps >= 490 && held.p99 < 20 && !held.non2xx,
        note: `${held.rps.toFixed(0)} req/s held, p50 ${held.p50} ms${failures(held)}`,
      },
      {
        bench, name: 'api: GET /v1/environments page of 100, p99 at concurrency 10', value: list.p99, unit: 'ms', baseline: { name: '/healthz p99 at concurrency 10', value: healthz.p99, unit: 'ms' },
        ratio: list.p99 / Math.max(healthz.p99, 1), target: 'p99 < 50 ms', holds: list.p99 < 50 && !list.non2xx,
        note: `${list.rps.toFixed(0)} req/s; one connection: p99 ${listSingle.p99} ms, ${listSingle.rps.toFixed(0)} req/s${failures(list)}`,
      },
      {
        bench, name: 'api: watch fan-out, store reads a second with 200 streams', value: many.readsPerSecond, unit: 'reads/s', baseline: { name: '1 stream', value: one.readsPerSecond, unit: 'reads/s' },
        ratio: many.readsPerSecond / Math.max(one.readsPerSecond, 0.001), target: 'no more than 1 stream + 1 read/s (a poll per stream was 4 reads/s each)', holds: many.readsPerSecond <= one.readsPerSecond + 1,
        note: `statuses written in the server at 20/s; API CPU ${many.cpuPercent.toFixed(0)}% with 200 streams vs ${one.cpuPercent.toFixed(0)}% with 1; ${many.events} status events sent`,
      },
      {
        bench, name: 'api: read cache, CPU of one idle poll of 200 environments (embedded)', value: ready.pollCpuMs, unit: 'ms',
        note: 'listed every TERRACE_CACHE_POLL (1 s) with an external table; every 30 s embedded, where writes reach the cache directly',
      },
    ];
  } finally {
    child.send({ type: 'stop' });
    await once(child, 'exit');
  }
}
