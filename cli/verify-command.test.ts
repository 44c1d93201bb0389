import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ControlPlane } from '../server/main.ts';
import { startTestControlPlane } from '../test/support/control-plane.ts';
import { startDaphne, type DaphneApp } from '../test/support/daphne.ts';
import { tempDir } from '../test/support/store.ts';
import { runTerrace, type CliResult } from '../test/support/cli.ts';

// `terrace verify` (the real bin) against a real control plane (real terraform on the local target) whose
// environments are checked against a real Daphne, one up and one stopped.

const repo = fileURLToPath(new URL('../', import.meta.url));
let plane: ControlPlane;
let dir: ReturnType<typeof tempDir>;
let adminToken: string;
let up: DaphneApp;
let down: DaphneApp;

beforeAll(async () => {
  dir = tempDir('terrace-verify-cli-');
  [up, down] = await Promise.all([startDaphne('ok'), startDaphne('ok')]);
  await down.stop();
  ({ plane, token: adminToken } = await startTestControlPlane(dir.path));
  await create('dispatch-up', up.url);
  await create('dispatch-down', down.url);
}, 60_000);
afterAll(async () => {
  await plane?.stop();
  await up?.stop();
  dir?.remove();
});

/** The dev example with network and compute only, labelled app=dispatch, checked at `baseUrl`. */
async function create(name: string, baseUrl: string): Promise<void> {
  const doc = parse(readFileSync(join(repo, 'specs/examples/dev.yaml'), 'utf8'));
  const { data: _d, observability: _o, frontend: _f, ...spec } = doc.spec;
  const body = {
    ...doc,
    metadata: { name, labels: { app: 'dispatch' } },
    spec: { ...spec, verify: { baseUrl, http: [{ path: '/health/ready' }], websocket: [{ path: '/ws/echo/', send: 'ping', expect: 'ping', connections: 3, holdSeconds: 1 }] } },
  };
  const res = await fetch(`${plane.url}/v1/environments/${name}`, { method: 'PUT', body: JSON.stringify(body), headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' } });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** Runs the bin against this file's control plane, with the admin token from its data dir. */
function terrace(args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERRACE_SERVER: plane.url, TERRACE_DATA_DIR: dir.path };
  delete env.TERRACE_TOKEN;
  return runTerrace(args, env, 40_000);
}

describe('terrace verify', () => {
  it('runs the checks of one environment now, prints the report and exits 0 when they pass', async () => {
    const r = await terrace(['verify', 'dispatch-up', '--timeout', '30']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^environment\/dispatch-up: Verified True \(ChecksPassed\), ran at /);
    expect(r.stdout).toMatch(/websocket\s+ws:\/\/127\.0\.0\.1:[0-9]+\/ws\/echo\/\s+passed\s+[0-9]+ ms, 3\/3 held, connect p50\/p99 [0-9.]+\/[0-9.]+ ms, round trip p50\/p99/);
  }, 60_000);

  it('exits 1 with the reason and what to do when a check fails', async () => {
    const r = await terrace(['verify', 'dispatch-down', '--timeout', '30']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^environment\/dispatch-down: Verified False \(Refused\)/);
    expect(r.stdout).toContain('ECONNREFUSED');
  }, 60_000);

  it('-l verifies every matching environment, one row each, and exits 1 when any fails', async () => {
    const r = await terrace(['verify', '-l', 'app=dispatch', '--timeout', '30']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+VERIFIED\s+REASON\s+CHECKS\s+MESSAGE$/);
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(/^dispatch-down\s+False\s+Refused\s+0\/2 passed\s+2 of 2 check\(s\) failed/),
      expect.stringMatching(/^dispatch-up\s+True\s+ChecksPassed\s+2\/2 passed$/),
    ]);
  }, 60_000);

  it('gives up at --timeout, saying so', async () => {
    const r = await terrace(['verify', 'dispatch-up', '--timeout', '0.001']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no verification reported within 0.001 s');
  });

  it('refuses a name and -l together', async () => {
    const r = await terrace(['verify', 'dispatch-up', '-l', 'app=dispatch']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: give an environment name or -l <selector>, one of them\n');
  });
});
