import { spawn } from 'node:child_process';
import { existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devEnvironment } from '../constructs/testing/fixtures.ts';
import type { PlanReport } from '../controller/speculative-plan.ts';
import type { ControlPlane } from '../server/main.ts';
import type { Environment } from '../specs/environment.ts';
import { runTerrace, type CliResult } from '../test/support/cli.ts';
import { startControlPlane } from '../server/main.ts';
import { startTestControlPlane } from '../test/support/control-plane.ts';
import { followStatus, readyAtGeneration } from '../test/support/sse.ts';
import { tempDir } from '../test/support/store.ts';

// The CI commands (diff, wait, describe, events, promote) as the real bin against one real control plane on
// loopback: embedded DynamoDB, real terraform on the local target. Each test uses environments of its own names.

let plane: ControlPlane;
let dir: ReturnType<typeof tempDir>;
let token: string;

beforeAll(async () => {
  dir = tempDir('terrace-ci-');
  ({ plane, token } = await startTestControlPlane(dir.path));
});
afterAll(async () => {
  await plane?.stop();
  dir?.remove();
});

function terrace(args: string[], boundMs = 60_000): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERRACE_SERVER: plane.url, TERRACE_TOKEN: token };
  return runTerrace(args, env, boundMs);
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${plane.url}/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

/** Network and frontend only: two quick tiers of terraform_data. */
const small = (name: string, edit: (spec: Record<string, any>) => void = () => {}) =>
  devEnvironment(name, (s) => {
    delete s.data;
    delete s.compute;
    delete s.observability;
    edit(s);
  });

function file(name: string, doc: unknown): string {
  const path = join(dir.path, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

async function put(doc: Environment): Promise<void> {
  const r = await api(`/environments/${doc.metadata.name}`, { method: 'PUT', body: JSON.stringify(doc) });
  expect(r.status, await r.clone().text()).toBeLessThan(300);
}

/** Follows the watch stream until `done(status)`; a bound fails the test with the last status seen. */
const until = (name: string, done: (s: any) => boolean, timeoutMs = 45_000): Promise<any> =>
  followStatus(() => api(`/environments/${name}/watch`), name, done, timeoutMs);

describe('terrace diff', () => {
  const tierDir = (env: string, tier: string) => join(dir.path, 'work', env, tier);

  beforeAll(async () => {
    await put(small('diff-dev'));
    await until('diff-dev', readyAtGeneration);
  });

  it('exits 0 when terraform plans no change for the applied spec', async () => {
    const r = await terrace(['diff', '-f', file('same.json', small('diff-dev')), '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [report] = (JSON.parse(r.stdout) as { items: PlanReport[] }).items;
    expect(report).toMatchObject({ environment: 'diff-dev', new: false, changes: false, allowed: true, failed: false });
    expect(report.tiers.map((t) => [t.tier, t.planned, t.add.length + t.change.length + t.destroy.length])).toEqual([['network', true, 0], ['frontend', true, 0]]);
  });

  it('exits 2 and lists the resources by address when the spec changes; nothing is stored, state and lock untouched', async () => {
    const state = join(tierDir('diff-dev', 'network'), 'terraform.tfstate');
    const before = readFileSync(state, 'utf8');
    const stored = await (await api('/environments/diff-dev')).json();
    const r = await terrace(['diff', '-f', file('changed.json', small('diff-dev', (s) => (s.network.cidr = '10.42.0.0/16')))]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/network: \d+ to add, \d+ to change, \d+ to destroy/);
    expect(r.stdout).toMatch(/^ {4}(~|-\/\+) terraform_data\.\S+$/m);
    expect(r.stdout).toContain('frontend: no changes');
    expect(r.stderr).toContain('diff-dev/network: planning...');
    expect(readFileSync(state, 'utf8')).toBe(before);
    expect(existsSync(join(tierDir('diff-dev', 'network'), '.terraform.tfstate.lock.info'))).toBe(false);
    const after = await (await api('/environments/diff-dev')).json();
    expect(after.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
    expect(after.spec.network.cidr).toBe(stored.spec.network.cidr);
  });

  it('shows the destroy plan of a tier the spec stops declaring', async () => {
    const r = await terrace(['diff', '-f', file('dropped.json', small('diff-dev', (s) => delete s.frontend)), '-o', 'json']);
    expect(r.code, r.stderr).toBe(2);
    const [report] = (JSON.parse(r.stdout) as { items: PlanReport[] }).items;
    const frontend = report.tiers.find((t) => t.tier === 'frontend')!;
    expect(frontend).toMatchObject({ planned: true, add: [], change: [] });
    expect(frontend.destroy.length).toBeGreaterThan(0);
    expect(frontend.note).toContain('no longer declares');
  });

  it('plans while the controller\'s state lock is held: a diff never takes the lock', async () => {
    const cwd = tierDir('diff-dev', 'network');
    // `terraform console` holds the state lock for as long as it runs: a real competing terraform.
    const holder = spawn('terraform', ['console'], { cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: join(dir.path, 'terraform', 'terraform.rc') }, stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await new Promise<void>((resolve) => {
        const held = () => existsSync(join(cwd, '.terraform.tfstate.lock.info'));
        const watcher = watch(cwd, () => held() && (watcher.close(), resolve()));
        if (held()) (watcher.close(), resolve());
      });
      const r = await terrace(['diff', '-f', file('locked.json', small('diff-dev'))]);
      expect(r.stderr).not.toMatch(/lock/i);
      expect(r.code).toBe(0);
    } finally {
      holder.stdin.end();
      await new Promise((r) => holder.once('close', r));
    }
  });

  it('diffs a new environment against nothing, and creates nothing for it', async () => {
    const withCompute = devEnvironment('diff-new', (s) => {
      delete s.data;
      delete s.observability;
    });
    const r = await terrace(['diff', '-f', file('new.json', withCompute), '-o', 'json']);
    expect(r.code, r.stderr).toBe(2);
    const [report] = (JSON.parse(r.stdout) as { items: PlanReport[] }).items;
    expect(report.new).toBe(true);
    expect(report.tiers.map((t) => [t.tier, t.planned])).toEqual([['network', true], ['compute', false], ['frontend', true]]);
    for (const t of report.tiers) {
      expect(t.add.length).toBeGreaterThan(0);
      expect([...t.change, ...t.destroy]).toEqual([]);
    }
    // compute reads network's outputs, which do not exist before network is applied: its stack is all new.
    expect(report.tiers[1].note).toContain('once network is applied');
    expect((await api('/environments/diff-new')).status).toBe(404);
    expect(existsSync(join(dir.path, 'work', 'diff-new'))).toBe(false);
  });

  it('exits 1 naming the field of an invalid spec; the server refuses it too, before any plan', async () => {
    const bad = { ...small('diff-dev'), spec: { ...small('diff-dev').spec, network: { ...small('diff-dev').spec.network, azCount: 'two' } } };
    const r = await terrace(['diff', '-f', file('bad.json', bad)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('spec.network.azCount');
    expect(r.stdout).toBe('');
    const direct = await api('/environments/diff-dev/plan', { method: 'POST', body: JSON.stringify(bad) });
    expect(direct.status).toBe(422);
    expect((await direct.json()).errors.map((e: { path: string }) => e.path)).toContain('spec.network.azCount');
  });
});

describe('terrace wait', () => {
  it('exits 0 once Ready at the generation read at start: an older generation\'s Ready does not count', async () => {
    await put(small('wait-ok'));
    const first = await terrace(['wait', 'environment/wait-ok', '--for', 'condition=Ready', '--timeout', '60s']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain('error');
    expect(first.stdout.trim()).toBe('environment/wait-ok: condition Ready met at generation 1');

    // Generation 2 is stored but cannot be reconciled while the test holds the lease: Ready stays True at
    // generation 1, which must not count.
    let held = false;
    for (let i = 0; i < 1000 && !held; i++) held = await plane.store.acquireLease('wait-ok', 'the-test', 120_000);
    expect(held).toBe(true);
    await put(small('wait-ok', (s) => (s.network.cidr = '10.77.0.0/16')));
    const early = await terrace(['wait', 'environment/wait-ok', '--for', 'condition=Ready', '--timeout', '2s']);
    expect(early.code).toBe(1);
    expect(early.stderr.trim().split('\n')).toEqual([
      'environment/wait-ok: waiting for condition Ready at generation 2 or later',
      'error: environment/wait-ok: Timeout: not Ready within 2 s',
    ]);

    await plane.store.releaseLease('wait-ok', 'the-test');
    const reconcile = await fetch(`${plane.url}/v1/environments/wait-ok/reconcile`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(reconcile.status).toBe(202);
    const second = await terrace(['wait', 'environment/wait-ok', '--for', 'condition=Ready', '--timeout', '60s', '-o', 'json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ environment: 'wait-ok', met: true, status: { observedGeneration: 2 } });
  });

  it('goes on waiting while the controller retries a failed tier (showing it on stderr), and succeeds when the retry does', async () => {
    await put(small('wait-fail'));
    await until('wait-fail', readyAtGeneration);
    const state = join(dir.path, 'work', 'wait-fail', 'network', 'terraform.tfstate');
    const good = readFileSync(state, 'utf8');
    writeFileSync(state, '{ this is not a state file');
    const repo = fileURLToPath(new URL('../', import.meta.url));
    let child: ReturnType<typeof spawn> | undefined;
    try {
      await put(small('wait-fail', (s) => (s.network.cidr = '10.78.0.0/16')));
      child = spawn(process.execPath, ['cli/terrace.mjs', 'wait', 'environment/wait-fail', '--for', 'condition=Ready', '--timeout', '90s'], {
        cwd: repo, env: { ...process.env, TERRACE_SERVER: plane.url, TERRACE_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let code: number | null | undefined;
      let notify = () => {};
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr!.on('data', (c: Buffer) => ((stderr += c.toString()), notify()));
      child.once('close', (c) => ((code = c), notify()));
      // The retried failure is shown with its tier, reason and terraform's words; the wait does not end on it.
      await new Promise<void>((resolve, reject) => {
        const bound = setTimeout(() => reject(new Error(`no retry shown within 45 s: ${stderr}`)), 45_000);
        notify = () => (code !== undefined || /\(the controller retries; waiting on\)/.test(stderr)) && (clearTimeout(bound), resolve());
        notify();
      });
      expect(code, `wait ended on a failure the controller retries: ${stderr}`).toBeUndefined();
      expect(stderr).toMatch(/^environment\/wait-fail: tier network: PlanFailed: [\s\S]*Unsupported state file format/m);
      writeFileSync(state, good);
      const reconcile = await fetch(`${plane.url}/v1/environments/wait-fail/reconcile`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(reconcile.status).toBe(202);
      const exit = await new Promise<number | null>((resolve) => (code !== undefined ? resolve(code) : child!.once('close', resolve)));
      expect(exit, stderr).toBe(0);
      expect(stdout.trim()).toBe('environment/wait-fail: condition Ready met at generation 2');
    } finally {
      writeFileSync(state, good);
      child?.kill();
    }
  });

  it('exits 1 at once with the reason and message when the environment stalls (the spec must change)', async () => {
    const env = devEnvironment('wait-stall', (s) => (s.suspend = true));
    await put(env);
    await until('wait-stall', (s) => s.observedGeneration === 1);
    // A stored spec that no longer validates (written behind the API's back) stalls it: nothing will retry.
    const services = [{ ...env.spec.compute!.services[0], cpu: 300 }];
    await plane.store.update({ ...env, spec: { ...env.spec, suspend: false, compute: { ...env.spec.compute!, services } } } as Environment);
    const r = await terrace(['wait', 'environment/wait-stall', '--for', 'condition=Ready', '--timeout', '60s']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^error: environment\/wait-stall: InvalidSpec: .*spec\.compute\.services\[0\]\.cpu: 300/);
  });

  it('exits 1 when the timeout passes, saying what holds the environment up', async () => {
    await put(small('wait-slow', (s) => (s.suspend = true)));
    await until('wait-slow', (s) => s.observedGeneration === 1);
    const r = await terrace(['wait', 'environment/wait-slow', '--for', 'condition=Ready', '--timeout', '1s']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('error: environment/wait-slow: Timeout: not Ready within 1 s; Suspended: spec.suspend is true: nothing runs');
  });

  it('waits for a deletion, and refuses a wait for Verified without spec.verify', async () => {
    await put(small('wait-gone', (s) => (s.suspend = true)));
    const verified = await terrace(['wait', 'env/wait-gone', '--for', 'condition=Verified']);
    expect(verified.code).toBe(1);
    expect(verified.stderr).toContain('has no spec.verify');
    expect((await fetch(`${plane.url}/v1/environments/wait-gone`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(202);
    const r = await terrace(['wait', 'environment/wait-gone', '--for', 'delete', '--timeout', '60s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('environment/wait-gone is deleted');
  });
});

describe('terrace describe and events', () => {
  beforeAll(async () => {
    await put(small('desc-dev'));
    await until('desc-dev', readyAtGeneration);
  });

  it('describe shows the spec summary, every condition of the environment and of each tier, outputs, last plan and events', async () => {
    const r = await terrace(['describe', 'environment', 'desc-dev']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name: +desc-dev$/m);
    expect(r.stdout).toMatch(/^Generation: +1 \(observed 1\)$/m);
    expect(r.stdout).toMatch(/^ {2}network: +10\.10\.0\.0\/16, 2 AZs$/m);
    expect(r.stdout).toMatch(/^ {2}Ready +True +Succeeded /m);
    for (const type of ['Synthesized', 'Planned', 'Applied', 'Ready']) expect(r.stdout).toMatch(new RegExp(`^ {4}${type} +(True|False) `, 'm'));
    expect(r.stdout).toMatch(/^ {4}Last plan: +network-\S+: \d+ to add, 0 to change, 0 to destroy$/m);
    expect(r.stdout).toMatch(/^ {6}vpcId: \S+$/m);
    expect(r.stdout).toMatch(/^Events \(latest 10, newest first\):\n {2}TIME +TIER +ACTION/m);

    const json = await terrace(['describe', 'env', 'desc-dev', '-o', 'json']);
    const doc = JSON.parse(json.stdout);
    expect(doc.environment.status.tiers.network.outputs.vpcId).toBeTruthy();
    expect(doc.events.length).toBeGreaterThan(0);
  });

  it('events lists the run history oldest first; --watch prints the events of a change as they happen', async () => {
    const r = await terrace(['events', 'desc-dev', '-o', 'json']);
    expect(r.code).toBe(0);
    const { items } = JSON.parse(r.stdout) as { items: { time: string; tier?: string; action: string }[] };
    expect(items.length).toBeGreaterThan(0);
    expect(items.map((e) => e.time)).toEqual([...items.map((e) => e.time)].sort());
    expect(items.some((e) => e.tier === 'network')).toBe(true);

    const repo = fileURLToPath(new URL('../', import.meta.url));
    const child = spawn(process.execPath, ['cli/terrace.mjs', 'events', 'desc-dev', '--watch', '-o', 'json'], {
      cwd: repo, env: { ...process.env, TERRACE_SERVER: plane.url, TERRACE_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines: { time: string; tier?: string; message?: string }[] = [];
      let buffer = '';
      let notify = () => {};
      child.stdout.on('data', (c: Buffer) => {
        buffer += c.toString();
        for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
          lines.push(JSON.parse(buffer.slice(0, at)));
          buffer = buffer.slice(at + 1);
        }
        notify();
      });
      const untilLines = (done: () => boolean, what: string) =>
        new Promise<void>((resolve, reject) => {
          const bound = setTimeout(() => reject(new Error(`events --watch: no ${what} within 45 s; got ${JSON.stringify(lines)}`)), 45_000);
          notify = () => done() && (clearTimeout(bound), resolve());
          notify();
        });
      await untilLines(() => lines.length >= items.length, 'history');
      expect(lines.map((l) => l.time)).toEqual(items.map((e) => e.time));
      await put(small('desc-dev', (s) => (s.network.cidr = '10.79.0.0/16')));
      await untilLines(() => lines.some((l, i) => i >= items.length && l.tier === 'network'), 'event of the change');
    } finally {
      child.kill();
    }
  });
});

describe('terrace promote', () => {
  // Suspended: promote plans and writes specs; no tier needs to run for it.
  const app = (name: string, image: string, domain: string, cert: string) =>
    devEnvironment(name, (s) => {
      delete s.data;
      delete s.observability;
      s.suspend = true;
      for (const svc of s.compute.services) svc.image = image;
      s.compute.domain = { name: domain, certificateArn: `arn:aws:acm:eu-west-1:111111111111:certificate/${cert}` };
    });

  beforeAll(async () => {
    await put(app('promo-staging', 'ghcr.io/example/chat:v2', 'chat.staging.example.com', '00000000-0000-0000-0000-00000000000a'));
    await put({ ...app('promo-prod', 'ghcr.io/example/chat:v1', 'chat.example.com', '00000000-0000-0000-0000-00000000000b'), spec: { ...app('promo-prod', 'ghcr.io/example/chat:v1', 'chat.example.com', '00000000-0000-0000-0000-00000000000b').spec, approval: 'manual' } });
  });

  it('refuses to apply without --yes when there is no terminal, after showing the plan', async () => {
    const before = await (await api('/environments/promo-prod')).json();
    const r = await terrace(['promote', 'promo-staging', 'promo-prod']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('environment/promo-prod');
    expect(r.stderr).toContain('error: not promoted: no terminal to confirm on; pass --yes to apply');
    expect((await (await api('/environments/promo-prod')).json()).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('names a bad --set path and changes nothing', async () => {
    const r = await terrace(['promote', 'promo-staging', 'promo-prod', '--set', 'compute.servics[0].image=x', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('compute.servics[0].image');
  });

  it('with --yes copies images and service settings, keeps the destination\'s target, domains, certificates and approval, and applies --set', async () => {
    const r = await terrace(['promote', 'promo-staging', 'promo-prod', '--set', 'compute.services[0].desiredCount=3', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('environment/promo-prod configured from environment/promo-staging (generation 2)');
    const prod = await (await api('/environments/promo-prod')).json();
    expect(prod.spec.compute.services.map((s: { image: string }) => s.image)).toEqual(['ghcr.io/example/chat:v2', 'ghcr.io/example/chat:v2']);
    expect(prod.spec.compute.services[0].desiredCount).toBe(3);
    expect(prod.spec.compute.domain).toEqual({ name: 'chat.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-00000000000b' });
    expect(prod.spec).toMatchObject({ target: 'local', approval: 'manual', suspend: true });
    const again = await terrace(['promote', 'promo-staging', 'promo-prod', '--set', 'compute.services[0].desiredCount=3', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already has the spec of environment/promo-staging');
  });
});

describe('-o json on the other client commands', () => {
  it('apply, status and the one-shot verbs print one JSON document', async () => {
    const applied = await terrace(['apply', '-f', file('json.json', small('json-env', (s) => (s.suspend = true))), '-o', 'json']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toEqual({ items: [{ kind: 'Environment', name: 'json-env', result: 'created' }] });
    const status = await terrace(['status', 'json-env', '-o', 'json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ generation: 1, tiers: {} });
    const reconcile = await terrace(['reconcile', 'json-env', '-o', 'json']);
    expect(JSON.parse(reconcile.stdout)).toEqual({ command: 'reconcile', arguments: ['json-env'], message: 'environment/json-env: reconcile requested' });
  });
});

// Last in the file: it restarts the control plane (same data dir and port) under the other tests' feet.
describe('terrace wait across a restart of the control plane', () => {
  it('follows the watch again when the server goes away and comes back', async () => {
    await put(small('wait-restart', (s) => (s.suspend = true)));
    await until('wait-restart', (s) => s.observedGeneration === 1);
    const repo = fileURLToPath(new URL('../', import.meta.url));
    const child = spawn(process.execPath, ['cli/terrace.mjs', 'wait', 'environment/wait-restart', '--for', 'condition=Ready', '--timeout', '120s'], {
      cwd: repo, env: { ...process.env, TERRACE_SERVER: plane.url, TERRACE_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    let notify = () => {};
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      notify();
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    // And `events --watch` across the same restart.
    const events = spawn(process.execPath, ['cli/terrace.mjs', 'events', 'wait-restart', '--watch', '-o', 'json'], {
      cwd: repo, env: { ...process.env, TERRACE_SERVER: plane.url, TERRACE_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let eventsOut = '';
    let eventsErr = '';
    events.stdout.on('data', (c: Buffer) => {
      eventsOut += c.toString();
      notify();
    });
    events.stderr.on('data', (c: Buffer) => {
      eventsErr += c.toString();
      notify();
    });
    try {
      // Connected and following: both bins say so once they have the first status.
      await new Promise<void>((resolve, reject) => {
        const bound = setTimeout(() => reject(new Error(`not both following: ${stderr} ${eventsErr}`)), 45_000);
        notify = () => stderr.includes('waiting for condition Ready') && eventsErr.includes('following its events') && (clearTimeout(bound), resolve());
        notify();
      });
      const { port } = new URL(plane.url);
      await plane.stop();
      plane = await startControlPlane(
        { PORT: port, HOST: '127.0.0.1', TERRACE_DATA_DIR: dir.path, TERRACE_SEED_EXAMPLE: 'false', TERRACE_LOG_LEVEL: 'warn', TERRACE_LOG_FORMAT: 'json', TERRACE_RESYNC: '0 0 1 1 *' },
        { handleSignals: false },
      );
      token = readFileSync(join(dir.path, 'admin-token'), 'utf8').trim();
      await put(small('wait-restart')); // resumed: generation 2 is applied and becomes Ready
      expect(await exited, stderr).toBe(0);
      expect(stderr).toContain('environment/wait-restart: the watch ended; following it again in 1 s');
      expect(stdout.trim()).toBe('environment/wait-restart: condition Ready met at generation 2');
      await new Promise<void>((resolve, reject) => {
        const bound = setTimeout(() => reject(new Error(`events --watch printed no apply after the restart: ${eventsOut} ${eventsErr}`)), 45_000);
        notify = () => eventsOut.split('\n').some((l) => l.includes('"action":"apply"')) && (clearTimeout(bound), resolve());
        notify();
      });
      expect(eventsErr).toContain('environment/wait-restart: the watch ended; following it again in 1 s');
    } finally {
      child.kill();
      events.kill();
    }
  });
});
