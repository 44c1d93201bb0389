import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { followStatus, readyAtGeneration } from '../test/support/sse.ts';
import { tempDir } from '../test/support/store.ts';
import { runTerrace, type CliResult } from '../test/support/cli.ts';
import type { ControlPlane } from '../server/main.ts';
import { startTestControlPlane } from '../test/support/control-plane.ts';

// The real bin against a real control plane (embedded DynamoDB, real terraform on the local target).
// The tests share one plane for speed, and each creates what it reads under names of its own: any one of them
// runs alone, in any order. Only `get and status` has terraform run; the others' environments are suspended.

const repo = fileURLToPath(new URL('../', import.meta.url));
const DEV = 'specs/examples/dev.yaml';
let plane: ControlPlane;
let dir: ReturnType<typeof tempDir>;
let adminToken: string;

beforeAll(async () => {
  dir = tempDir('terrace-cli-');
  ({ plane, token: adminToken } = await startTestControlPlane(dir.path));
});
afterAll(async () => {
  await plane?.stop();
  dir?.remove();
});

/** Runs the bin against this file's control plane, with the admin token from its data dir. */
function terrace(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const base: NodeJS.ProcessEnv = { ...process.env, TERRACE_SERVER: plane.url, TERRACE_DATA_DIR: dir.path };
  delete base.TERRACE_TOKEN;
  return runTerrace(args, { ...base, ...env }, 20_000);
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${plane.url}/v1${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...init.headers } });

/** The example dev environment under another name, with these spec and metadata changes. */
function devDoc(name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}) {
  const doc = parse(readFileSync(join(repo, DEV), 'utf8'));
  return { ...doc, metadata: { ...doc.metadata, name, labels: { ...doc.metadata.labels, ...labels } }, spec: { ...doc.spec, ...spec } };
}

const docOf = (kind: 'Environment' | 'Target', name: string, spec: Record<string, unknown>) => ({ apiVersion: 'terrace.dev/v1alpha1', kind, metadata: { name }, spec });

/** Stores a document through the API: setup for a test, not what it tests. */
async function create(doc: { kind: string; metadata: { name: string } }): Promise<void> {
  const r = await api(`/${doc.kind === 'Target' ? 'targets' : 'environments'}/${doc.metadata.name}`, { method: 'PUT', body: JSON.stringify(doc) });
  expect(r.status, `creating ${doc.kind} ${doc.metadata.name}: ${await r.clone().text()}`).toBe(201);
}

/** Follows the environment's watch stream until it is Ready at its current generation; a bound fails the test. */
const untilReady = async (name: string, timeoutMs: number): Promise<void> =>
  void (await followStatus(() => api(`/environments/${name}/watch`), name, readyAtGeneration, timeoutMs));

function writeFile(name: string, text: string): string {
  const file = join(dir.path, name);
  writeFileSync(file, text);
  return file;
}

describe('terrace client commands (the real bin over HTTP)', () => {
  it('apply --dry-run reports each tier and the guardrails, and stores nothing', async () => {
    const r = await terrace(['apply', '--dry-run', '-f', DEV]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^environment\/chat-dev \(dry run\): allowed; nothing stored$/m);
    for (const tier of ['network', 'data', 'compute', 'frontend', 'observability']) expect(r.stdout).toMatch(new RegExp(`^  ${tier}: [0-9]+ resources, guardrails passed$`, 'm'));
    expect((await api('/environments/chat-dev')).status).toBe(404);
  });

  it('apply --dry-run checks a Target on the server and stores nothing', async () => {
    const target = writeFile('target.yaml', [
      'apiVersion: terrace.dev/v1alpha1', 'kind: Target', 'metadata: { name: aws-dry }',
      'spec: { provider: aws, accountId: "222222222222", region: eu-west-1, roleArn: "arn:aws:iam::222222222222:role/terrace", stateBucket: state-222 }',
    ].join('\n'));
    const r = await terrace(['apply', '--dry-run', '-f', target]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^target\/aws-dry \(dry run\): valid; nothing stored$/m);
    expect((await api('/targets/aws-dry')).status).toBe(404);
  });

  it('refuses an invalid file by path and sends none of its documents', async () => {
    const bad = writeFile('bad.yaml', [
      'apiVersion: terrace.dev/v1alpha1\nkind: Target\nmetadata: {name: never-sent}\nspec: {provider: local}',
      'apiVersion: terrace.dev/v1alpha1\nkind: Environment\nmetadata: {name: bad-env}\nspec:\n  target: local\n  network: {azCount: 4}\n',
    ].join('\n---\n'));
    const r = await terrace(['apply', '-f', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}#2 spec.network.azCount: 4 is not one of 2, 3`);
    expect(r.stdout).toBe('');
    expect((await api('/targets/never-sent')).status).toBe(404);
  });

  it('apply creates, leaves an identical spec unchanged, and reports a change as configured', async () => {
    const file = writeFile('apply-dev.json', JSON.stringify(devDoc('apply-dev', { suspend: true })));
    expect(await terrace(['apply', '-f', file])).toMatchObject({ code: 0, stdout: 'environment/apply-dev created\n', stderr: '' });
    expect(await terrace(['apply', '-f', file])).toMatchObject({ code: 0, stdout: 'environment/apply-dev unchanged\n' });
    const changed = writeFile('apply-dev-changed.json', JSON.stringify(devDoc('apply-dev', { suspend: true }, { team: 'web' })));
    const r = await terrace(['apply', '-f', changed]);
    expect(r).toMatchObject({ code: 0, stdout: 'environment/apply-dev configured\n' });
    expect((await (await api('/environments/apply-dev')).json()).metadata.labels).toMatchObject({ team: 'web' });
    expect(`${r.stdout}${r.stderr}`).not.toContain(adminToken);
  });

  it('applies Targets before the Environments that name them, whatever the file order', async () => {
    const file = writeFile('order.yaml', [
      'apiVersion: terrace.dev/v1alpha1\nkind: Environment\nmetadata: {name: order-app}\nspec: {target: order-edge, suspend: true, frontend: {}}',
      'apiVersion: terrace.dev/v1alpha1\nkind: Target\nmetadata: {name: order-edge}\nspec: {provider: local}',
      'apiVersion: terrace.dev/v1alpha1\nkind: Target\nmetadata: {name: order-spare}\nspec: {provider: local}',
    ].join('\n---\n'));
    const r = await terrace(['apply', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('target/order-edge created\ntarget/order-spare created\nenvironment/order-app created\n');
  });

  it('get and status show the environment once the controller has applied it', async () => {
    await create(devDoc('get-dev', {}, { team: 'reads' }));
    await create(docOf('Target', 'get-edge', { provider: 'local' }));
    await create(docOf('Environment', 'get-app', { target: 'get-edge', suspend: true, frontend: {} }));
    await untilReady('get-dev', 45_000);

    const table = await terrace(['get', 'environments']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+READY\s+REASON\s+GENERATION\/OBSERVED\s+AGE$/m);
    expect(table.stdout).toMatch(/^get-dev\s+True\s+\S+\s+1\/1\s+[0-9]+s$/m);
    expect(table.stdout).toMatch(/^get-app\s+/m);
    const selected = await terrace(['get', 'environments', '-l', 'team=reads']);
    expect(selected.stdout).toContain('get-dev');
    expect(selected.stdout).not.toContain('get-app');
    const one = JSON.parse((await terrace(['get', 'environment', 'get-dev', '-o', 'json'])).stdout);
    expect(one.metadata).toMatchObject({ name: 'get-dev', labels: { team: 'reads' } });
    const targets = await terrace(['get', 'targets']);
    expect(targets.stdout).toMatch(/^NAME\s+PROVIDER\s+ACCOUNT\s+REGION$/m);
    expect(targets.stdout).toMatch(/^get-edge\s+local\s+-\s+-$/m);
    // Other tests' Targets may be there too: the list holds this test's and the built-in one, by name.
    const names = parse((await terrace(['get', 'targets', '-o', 'yaml'])).stdout).items.map((t: { metadata: { name: string } }) => t.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['get-edge', 'local']));
    expect(names).toEqual([...names].sort());

    const status = await terrace(['status', 'get-dev']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Ready\s+True\s+/m);
    expect(status.stdout).toMatch(/^TIER\s+READY\s+REASON\s+LAST APPLIED\s+LAST PLAN \(ADD\/CHANGE\/DESTROY\)$/m);
    for (const tier of ['network', 'data', 'compute', 'frontend', 'observability']) expect(status.stdout).toMatch(new RegExp(`^${tier}\\s+True\\s+\\S+\\s+[0-9]+s ago\\s+[0-9]+/0/0$`, 'm'));
    const missing = await terrace(['status', 'nowhere']);
    expect(missing).toMatchObject({ code: 1, stderr: 'error: Environment nowhere not found\n' });
  });

  it('approve with a plan no tier waits on fails with the API\'s reason', async () => {
    await create(docOf('Environment', 'approve-app', { target: 'local', suspend: true, frontend: {} }));
    const r = await terrace(['approve', 'approve-app', 'no-such-plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('plan no-such-plan is not awaiting approval (no plan is awaiting approval)');
  });

  it('reconcile, suspend, resume and delete', async () => {
    await create(docOf('Environment', 'ops-app', { target: 'local', frontend: {} }));
    await create(docOf('Target', 'ops-edge', { provider: 'local' }));
    await create(docOf('Target', 'ops-spare', { provider: 'local' }));
    await create(docOf('Environment', 'ops-edge-app', { target: 'ops-edge', suspend: true, frontend: {} }));

    expect(await terrace(['reconcile', 'ops-app'])).toMatchObject({ code: 0, stdout: 'environment/ops-app: reconcile requested\n' });
    expect(await terrace(['suspend', 'ops-app'])).toMatchObject({ code: 0, stdout: 'environment/ops-app suspended\n' });
    expect((await (await api('/environments/ops-app')).json()).spec.suspend).toBe(true);
    expect(await terrace(['resume', 'ops-app'])).toMatchObject({ code: 0, stdout: 'environment/ops-app resumed\n' });
    expect((await (await api('/environments/ops-app')).json()).spec.suspend).toBe(false);

    expect(await terrace(['delete', 'target', 'ops-spare'])).toMatchObject({ code: 0, stdout: 'target/ops-spare deleted\n' });
    expect((await api('/targets/ops-spare')).status).toBe(404);
    const used = await terrace(['delete', 'target', 'ops-edge']);
    expect(used.code).toBe(1);
    expect(used.stderr).toContain('Target ops-edge is used by ops-edge-app');
    const deleting = await terrace(['delete', 'environment', 'ops-edge-app']);
    expect(deleting).toMatchObject({ code: 0, stdout: expect.stringMatching(/^environment\/ops-edge-app deleting/) });
  });

  it('a read-only token can get but not apply, and the message names the missing scope', async () => {
    const created = await api('/tokens', { method: 'POST', body: JSON.stringify({ name: 'viewer', scopes: ['read'] }) });
    const { token } = await created.json();
    expect((await terrace(['get', 'targets'], { TERRACE_TOKEN: token })).code).toBe(0);
    const r = await terrace(['apply', '-f', DEV], { TERRACE_TOKEN: token });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('token viewer lacks the write scope');
    expect(`${r.stdout}${r.stderr}`).not.toContain(token);
  });

  it('without a token file, says no token was sent and where it looked', async () => {
    const empty = tempDir('terrace-cli-empty-');
    try {
      const r = await terrace(['get', 'environments'], { TERRACE_DATA_DIR: empty.path });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('a valid bearer token is required');
      expect(r.stderr).toContain(`no token was sent (no --token, TERRACE_TOKEN or ${join(empty.path, 'admin-token')})`);
    } finally {
      empty.remove();
    }
  });

  it('names the server it could not reach and how to start one', async () => {
    const port = await closedPort();
    const r = await terrace(['get', 'environments'], { TERRACE_SERVER: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the terrace server at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(r.stderr).toContain('npm start');
  });
});

/** A loopback port nothing listens on: bound once by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
