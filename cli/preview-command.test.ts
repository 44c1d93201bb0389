import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devEnvironment } from '../constructs/testing/fixtures.ts';
import type { ControlPlane } from '../server/main.ts';
import { EXPIRES_AT_ANNOTATION, PREVIEW_OF_LABEL } from '../specs/preview.ts';
import { runTerrace, type CliResult } from '../test/support/cli.ts';
import { startTestControlPlane } from '../test/support/control-plane.ts';
import { tempDir } from '../test/support/store.ts';

// `terrace preview` as the real bin against a real control plane (embedded DynamoDB, real terraform on the local
// target), with the base's spec.verify pointed at an HTTP server of the test's own: --wait ends once Verified.

let plane: ControlPlane;
let dir: ReturnType<typeof tempDir>;
let token: string;
let app: Server;
let appUrl: string;

beforeAll(async () => {
  dir = tempDir('terrace-preview-');
  ({ plane, token } = await startTestControlPlane(dir.path));
  app = createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end('ok'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const base = devEnvironment('staging', (s) => {
    delete s.data;
    delete s.frontend;
    delete s.observability;
    delete s.compute.domain;
    s.compute.services = [{ name: 'web', image: 'ghcr.io/acme/app:main', desiredCount: 2, autoscaling: { min: 2, max: 4 } }];
    s.verify = { baseUrl: appUrl, http: [{ path: '/healthz' }] };
  });
  const r = await api('/environments/staging', { method: 'PUT', body: JSON.stringify({ ...base, spec: { ...base.spec, suspend: true } }) });
  expect(r.status, await r.clone().text()).toBe(201);
});
afterAll(async () => {
  await plane?.stop();
  app?.close();
  dir?.remove();
});

function terrace(...args: string[]): Promise<CliResult> {
  return runTerrace(args, { ...process.env, TERRACE_SERVER: plane.url, TERRACE_TOKEN: token }, 120_000);
}

function api(path: string, init: RequestInit = {}) {
  return fetch(`${plane.url}/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
}

describe('terrace preview (the real bin over HTTP)', () => {
  it('create --wait prints the URL once Verified; list, extend, update and delete follow', async () => {
    const created = await terrace('preview', 'create', 'staging', '--name', 'pr-7', '--ttl', '2h', '--set', 'compute.services[0].image=ghcr.io/acme/app:pr-7', '--wait', '--timeout', '100');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^environment\/pr-7 created as a preview of staging, expires at 20[0-9-]+T[0-9:.]+Z$/m);
    expect(created.stdout).toMatch(/^environment\/pr-7 Ready and Verified$/m);
    expect(created.stdout).toMatch(new RegExp(`^url: ${appUrl}$`, 'm'));
    const stored = await (await api('/environments/pr-7')).json();
    // The base is suspended; its preview runs, one task, no autoscaling, the image given.
    expect(stored.spec.suspend).toBe(false);
    expect(stored.spec.compute.services[0]).toMatchObject({ image: 'ghcr.io/acme/app:pr-7', desiredCount: 1 });
    expect(stored.spec.compute.services[0].autoscaling).toBeUndefined();
    expect(stored.metadata.labels[PREVIEW_OF_LABEL]).toBe('staging');
    const expiry = Date.parse(stored.metadata.annotations[EXPIRES_AT_ANNOTATION]);

    const listed = await terrace('preview', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+BASE\s+TARGET\s+READY\s+AGE\s+EXPIRES$/m);
    expect(listed.stdout).toMatch(/^pr-7\s+staging\s+local\s+True\s+\S+\s+\S+Z \(in (1h|119m|120m)\)$/m);
    expect(listed.stdout).not.toMatch(/^staging/m);

    const extended = await terrace('preview', 'extend', 'pr-7', '--ttl', '24h');
    expect(extended.code).toBe(0);
    expect(extended.stdout.trim()).toBe(`environment/pr-7 expires at ${new Date(expiry + 24 * 3_600_000).toISOString()}`);

    const updated = await terrace('preview', 'create', 'staging', '--name', 'pr-7', '--set', 'compute.services[0].image=ghcr.io/acme/app:pr-7b');
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(/^environment\/pr-7 updated as a preview of staging/m);

    const deleted = await terrace('preview', 'delete', 'pr-7');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout.trim()).toBe('environment/pr-7 deleting: the controller destroys its tiers, then removes it');
    expect((await (await api('/environments/pr-7')).json()).metadata.deletionTimestamp).toBeDefined();
  });

  it('says what is wrong in one error line: a bad --set, a base that is not there, a non-preview to delete', async () => {
    const badSet = await terrace('preview', 'create', 'staging', '--name', 'pr-8', '--set', 'compute.services[0].desiredCount=lots');
    expect(badSet.code).toBe(1);
    expect(badSet.stderr).toMatch(/^error: spec\.compute\.services\[0\]\.desiredCount: expected integer/);
    const noBase = await terrace('preview', 'create', 'nowhere', '--name', 'pr-8');
    expect(noBase.code).toBe(1);
    expect(noBase.stderr).toMatch(/^error: Environment nowhere/);
    const notPreview = await terrace('preview', 'delete', 'staging');
    expect(notPreview.code).toBe(1);
    expect(notPreview.stderr).toMatch(/^error: Environment staging is not a preview/);
    // --ignore-not-found forgives only "not there": a non-preview is still refused.
    expect((await terrace('preview', 'delete', 'staging', '--ignore-not-found')).code).toBe(1);
    expect((await terrace('preview', 'delete', 'pr-8')).code).toBe(1);
    const gone = await terrace('preview', 'delete', 'pr-8', '--ignore-not-found');
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout.trim()).toBe('environment/pr-8 not found: nothing to delete');
    expect((await api('/environments/pr-8')).status).toBe(404);
  });
});
