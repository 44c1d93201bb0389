import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeTeardown, synthesizeTier } from '../../constructs/index.ts';
import { devEnvironment } from '../../constructs/testing/fixtures.ts';
import { TerraformCli, type RunOptions } from '../../controller/runner.ts';
import { SpeculativePlanner, type PlanReport, type SpeculativeTerraform } from '../../controller/speculative-plan.ts';
import type { Store } from '../../specs/store/types.ts';
import { startApi, type TestApi } from '../../test/support/api.ts';
import { openTestStore, tempDir } from '../../test/support/store.ts';

// The plan route with the real planner and real terraform. A gate in front of `terraform init` holds a plan
// in flight for as long as a test needs (terraform itself runs once the gate opens), so "while one plan runs" is
// a fact of the test, not a race.

let dir: ReturnType<typeof tempDir>;
let cli: TerraformCli;

beforeAll(() => {
  dir = tempDir('terrace-plan-route-');
  cli = new TerraformCli({ homeDir: join(dir.path, 'terraform') });
});
afterAll(() => dir?.remove());

/** The real TerraformCli; the first init waits for `open()` (or for the run's signal, as terraform would stop). */
function gated(): { terraform: SpeculativeTerraform; entered: Promise<void>; open(): void } {
  let open!: () => void;
  let entered!: () => void;
  let first = true;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (entered = resolve));
  return {
    entered: reached,
    open,
    terraform: {
      async init(d: string, options: RunOptions) {
        if (first) {
          first = false;
          entered();
          await Promise.race([gate, new Promise((resolve) => (options.signal?.aborted ? resolve(undefined) : options.signal?.addEventListener('abort', resolve, { once: true })))]);
        }
        return cli.init(d, options);
      },
      speculativePlan: (d, options) => cli.speculativePlan(d, options),
    },
  };
}

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** The real planner behind the route; `settled` lists each plan's outcome once its slot is free again. */
async function withPlanner(terraform: SpeculativeTerraform, options: { timeoutMs?: number; concurrency?: number; store?: Store } = {}) {
  const planner = new SpeculativePlanner({
    terraform, synthesize: synthesizeTier, teardown: synthesizeTeardown,
    stateDir: (env, tier) => join(dir.path, 'work', env, tier),
    scratchRoot: join(dir.path, 'plans'),
    timeoutMs: options.timeoutMs ?? 60_000,
    concurrency: options.concurrency ?? 1,
  });
  const settled: Promise<PlanReport>[] = [];
  api = await startApi({
    ...(options.store ? { store: options.store } : {}),
    planner: {
      tryPlan: (...args: Parameters<SpeculativePlanner['tryPlan']>) => {
        const plan = planner.tryPlan(...args);
        if (plan) settled.push(plan);
        return plan;
      },
    },
  });
  return { ...api, settled };
}

const networkOnly = (name: string) => devEnvironment(name, (s) => {
  delete s.data;
  delete s.compute;
  delete s.observability;
  delete s.frontend;
});

const lines = (payload: string) => payload.trim().split('\n').map((l) => JSON.parse(l));

describe('POST /v1/environments/{name}/plan', () => {
  it('streams tier progress then the result; a plan past the concurrency limit is a 503 with Retry-After', async () => {
    const gate = gated();
    const { call } = await withPlanner(gate.terraform, { concurrency: 1 });
    const first = call({ method: 'POST', url: '/v1/environments/plan-one/plan', payload: networkOnly('plan-one') });
    await gate.entered;
    const second = await call({ method: 'POST', url: '/v1/environments/plan-two/plan', payload: networkOnly('plan-two') });
    expect(second.statusCode).toBe(503);
    expect(second.headers['retry-after']).toBe('15');
    expect(second.json().detail).toContain('TERRACE_PLAN_CONCURRENCY');
    gate.open();
    const done = await first;
    expect(done.statusCode).toBe(200);
    expect(done.headers['content-type']).toContain('application/x-ndjson');
    const [started, finished, result] = lines(done.payload);
    expect(started).toEqual({ type: 'tier', tier: 'network', phase: 'started' });
    expect(finished).toMatchObject({ type: 'tier', tier: 'network', phase: 'finished', plan: { planned: true, change: [], destroy: [] } });
    expect(finished.plan.add.length).toBeGreaterThan(0);
    expect(result).toMatchObject({ type: 'result', result: { environment: 'plan-one', new: true, changes: true, allowed: true, failed: false } });
    // The slot is free again.
    const third = await call({ method: 'POST', url: '/v1/environments/plan-three/plan', payload: networkOnly('plan-three') });
    expect(third.statusCode).toBe(200);
  });

  it('stops a plan at its timeout and says so in the result', async () => {
    const gate = gated(); // never opened: the plan outlives its timeout
    const { call } = await withPlanner(gate.terraform, { timeoutMs: 1000 });
    const r = await call({ method: 'POST', url: '/v1/environments/plan-slow/plan', payload: networkOnly('plan-slow') });
    const result = lines(r.payload).at(-1);
    expect(result).toMatchObject({ type: 'result', result: { failed: true, changes: false } });
    expect(result.result.tiers[0].error).toBe('the plan took longer than 1 s (TERRACE_PLAN_TIMEOUT) and was stopped');
  });

  it('stops the plan of a client that goes away, freeing its slot', async () => {
    const gate = gated();
    const test = await withPlanner(gate.terraform, { concurrency: 1 });
    await test.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = test.app.server.address() as { port: number };
    // A raw HTTP request whose socket the test destroys once the plan is under way: the client is gone.
    const body = JSON.stringify(networkOnly('plan-gone'));
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/environments/plan-gone/plan', headers: { ...test.admin, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    const answered = new Promise<number | undefined>((resolve) => req.once('response', (res) => resolve(res.statusCode)));
    req.on('error', () => undefined);
    req.end(body);
    expect(await answered).toBe(200);
    await gate.entered;
    req.destroy();
    const [cancelled] = test.settled;
    expect((await cancelled).tiers[0].error).toBe('the plan was cancelled');
    // Its slot (the only one) is free: the next plan runs.
    const next = await test.call({ method: 'POST', url: '/v1/environments/plan-next/plan', payload: networkOnly('plan-next') });
    expect(next.statusCode).toBe(200);
    expect(lines(next.payload).at(-1).result).toMatchObject({ failed: false, changes: true });
  });

  it('stops the plan of a client that went away before the plan started (while its Target was read)', async () => {
    const gate = gated();
    // The Target read waits for the test: the client leaves during it, before the route follows the connection.
    const real = await openTestStore();
    let entered!: () => void;
    let release!: () => void;
    const reading = new Promise<void>((resolve) => (entered = resolve));
    const held = new Promise<void>((resolve) => (release = resolve));
    const store = new Proxy(real, {
      get(target, key) {
        if (key === 'get') return async (kind: string, name: string) => (kind === 'Target' && (entered(), await held), (target.get as Function).call(target, kind, name));
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Store;
    const test = await withPlanner(gate.terraform, { concurrency: 1, timeoutMs: 20_000, store });
    await test.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = test.app.server.address() as { port: number };
    const serverSocket = new Promise<import('node:net').Socket>((resolve) => test.app.server.once('connection', resolve));
    const body = JSON.stringify(networkOnly('plan-early'));
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/environments/plan-early/plan', headers: { ...test.admin, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    req.on('error', () => undefined);
    req.end(body);
    await reading;
    const socket = await serverSocket;
    const closed = new Promise((resolve) => socket.once('close', resolve));
    req.destroy();
    await closed;
    release();
    const [plan] = await new Promise<Promise<PlanReport>[]>((resolve) => {
      const poll = () => (test.settled.length > 0 ? resolve(test.settled) : setImmediate(poll));
      poll();
    });
    expect((await plan).tiers[0].error).toBe('the plan was cancelled');
  }, 60_000);

  it('needs the write scope, and refuses an invalid body at its field before any plan', async () => {
    const gate = gated();
    const test = await withPlanner(gate.terraform);
    const reader = await test.as('read');
    const denied = await test.call({ method: 'POST', url: '/v1/environments/plan-one/plan', payload: networkOnly('plan-one'), headers: reader });
    expect(denied.statusCode).toBe(403);
    const bad = await test.call({ method: 'POST', url: '/v1/environments/plan-one/plan', payload: { ...networkOnly('plan-one'), spec: { ...networkOnly('plan-one').spec, network: { cidr: 'nope' } } } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('spec.network.cidr');
    const misnamed = await test.call({ method: 'POST', url: '/v1/environments/other/plan', payload: networkOnly('plan-one') });
    expect(misnamed.statusCode).toBe(422);
  });
});
