import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devEnvironment } from '../constructs/testing/fixtures.ts';
import type { PlanReport } from '../controller/speculative-plan.ts';
import type { ControlPlane } from '../server/main.ts';
import type { Environment } from '../specs/environment.ts';
import { runTerrace, type CliResult } from '../test/support/cli.ts';
import { startTestControlPlane } from '../test/support/control-plane.ts';
import { sseReader } from '../test/support/sse.ts';
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
async function until(name: string, done: (s: any) => boolean, timeoutMs = 45_000): Promise<any> {
  const res = await api(`/environments/${name}/watch`);
  expect(res.status).toBe(200);
  const events = sseReader(res.body!);
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  try {
    for (;;) {
      const m = await events.next(deadline - Date.now());
      if (m === 'timeout' || m === 'end') throw new Error(`${name}: condition not met within ${timeoutMs} ms (${m}); last status: ${last}`);
      if (m.event !== 'status') continue;
      last = m.data;
      const status = JSON.parse(m.data!);
      if (done(status)) return status;
    }
  } finally {
    await events.cancel();
  }
}

const readyAtGeneration = (s: any) => s.observedGeneration === s.generation && s.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True');

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

  it('diffs a new environment against nothing, and creates nothing for it', async () => {
    const r = await terrace(['diff', '-f', file('new.json', small('diff-new')), '-o', 'json']);
    expect(r.code, r.stderr).toBe(2);
    const [report] = (JSON.parse(r.stdout) as { items: PlanReport[] }).items;
    expect(report.new).toBe(true);
    for (const t of report.tiers) {
      expect(t.planned).toBe(true);
      expect(t.add.length).toBeGreaterThan(0);
      expect([...t.change, ...t.destroy]).toEqual([]);
    }
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
