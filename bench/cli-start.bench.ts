// How fast the `terrace` bin starts, whole process, against a bare `node -e 0`: `terrace --help` and
// `terrace get environments` (answered by a control plane this bench starts in a child process, holding a few
// suspended environments, so no terraform runs meanwhile). Each command runs RUNS times, one after another
// (spawnSync, like hyperfine); the median is reported. The published path is measured: the bundle is built now
// and run from a snapshot (the bin, dist/, package.json, node_modules linked), since in a tree being edited the
// bin would find a source newer than the bundle and run the sources through tsx instead.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './results.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = Number(process.env.TERRACE_BENCH_RUNS ?? 15);
const TARGET_MS = 500;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Wall time of `node <args>` RUNS times (after one warm-up run for the file cache); fails on a non-zero exit. */
function timed(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  const once = () => {
    const started = performance.now();
    const r = spawnSync(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return performance.now() - started;
  };
  once();
  return median(Array.from({ length: RUNS }, once));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `terrace serve` in a child process (spawnSync would block a server in this one); resolves once it listens. */
async function startPlane(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['cli/terrace.mjs', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', TERRACE_DATA_DIR: dataDir, TERRACE_SEED_EXAMPLE: 'false', TERRACE_LOG_FORMAT: 'json', TERRACE_RESYNC: '0 0 1 1 *' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('control plane listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`terrace serve exited ${code}: ${out}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** What an installed terrace holds to run its bin: the bin, the bundle, package.json and the dependencies. */
function snapshot(into: string): void {
  mkdirSync(join(into, 'cli'), { recursive: true });
  cpSync(join(ROOT, 'cli/terrace.mjs'), join(into, 'cli/terrace.mjs'));
  cpSync(join(ROOT, 'dist'), join(into, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(into, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(into, 'node_modules'));
}

export default async function bench(): Promise<Figure[]> {
  spawnSync(process.execPath, ['cli/build.mjs'], { cwd: ROOT, stdio: 'ignore' });
  const installed = mkdtempSync(join(tmpdir(), 'terrace-bench-bin-'));
  snapshot(installed);
  const dataDir = mkdtempSync(join(tmpdir(), 'terrace-bench-cli-'));
  const { url, child } = await startPlane(dataDir);
  try {
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    for (const name of ['bench-a', 'bench-b', 'bench-c']) {
      const doc = { apiVersion: 'terrace.dev/v1alpha1', kind: 'Environment', metadata: { name }, spec: { target: 'local', suspend: true, frontend: { spa: true } } };
      const r = await fetch(`${url}/v1/environments/${name}`, { method: 'PUT', headers, body: JSON.stringify(doc) });
      if (r.status !== 201) throw new Error(`creating ${name}: HTTP ${r.status} ${await r.text()}`);
    }
    const env = { ...process.env, TERRACE_SERVER: url, TERRACE_TOKEN: token };
    const node = timed(['-e', '0'], installed);
    const help = timed(['cli/terrace.mjs', '--help'], installed);
    const get = timed(['cli/terrace.mjs', 'get', 'environments'], installed, env);
    const baseline = { name: 'node -e 0', value: node, unit: 'ms' };
    const figure = (name: string, value: number): Figure => ({
      name, value, unit: 'ms', baseline, ratio: value / node, target: `< ${TARGET_MS} ms`, holds: value < TARGET_MS,
      note: `median of ${RUNS} whole-process runs`, bench: 'cli-start.bench.ts',
    });
    // bench/run.ts prints them and merges them into bench/results/latest.json.
    return [figure('terrace --help', help), figure('terrace get environments', get)];
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(installed, { recursive: true, force: true });
  }
}
