import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventually } from '../test/support/server.ts';
import { tempDir } from '../test/support/store.ts';
import { startControlPlane, type ControlPlane } from '../server/main.ts';

// The real bin against a real control plane (embedded DynamoDB, real terraform on the local target).
// The tests share one plane and run in order: later ones read what earlier ones applied.

const repo = fileURLToPath(new URL('../', import.meta.url));
const DEV = 'specs/examples/dev.yaml';
let plane: ControlPlane;
let dir: ReturnType<typeof tempDir>;
let adminToken: string;

beforeAll(async () => {
  dir = tempDir('terrace-cli-');
  plane = await startControlPlane(
    { PORT: '0', HOST: '127.0.0.1', TERRACE_DATA_DIR: dir.path, TERRACE_SEED_EXAMPLE: 'false', TERRACE_LOG_LEVEL: 'warn', TERRACE_LOG_FORMAT: 'json', TERRACE_RESYNC: '0 0 1 1 *' },
    { handleSignals: false },
  );
  adminToken = readFileSync(join(dir.path, 'admin-token'), 'utf8').trim();
});
afterAll(async () => {
  await plane?.stop();
  dir?.remove();
});

/** Runs the bin asynchronously (the server answering it lives in this process), bounded to 20 s. */
function terrace(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env, TERRACE_SERVER: plane.url, TERRACE_DATA_DIR: dir.path };
  delete base.TERRACE_TOKEN;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['cli/terrace.mjs', ...args], { cwd: repo, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`terrace ${args.join(' ')}: no exit within 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${plane.url}/v1${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...init.headers } });

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
    expect(await terrace(['apply', '-f', DEV])).toMatchObject({ code: 0, stdout: 'environment/chat-dev created\n', stderr: '' });
    expect(await terrace(['apply', '-f', DEV])).toMatchObject({ code: 0, stdout: 'environment/chat-dev unchanged\n' });
    const doc = parse(readFileSync(join(repo, DEV), 'utf8'));
    doc.metadata.labels.team = 'web';
    const changed = writeFile('dev.json', JSON.stringify(doc));
    const r = await terrace(['apply', '-f', changed]);
    expect(r).toMatchObject({ code: 0, stdout: 'environment/chat-dev configured\n' });
    expect(`${r.stdout}${r.stderr}`).not.toContain(adminToken);
  });

  it('applies Targets before the Environments that name them, whatever the file order', async () => {
    const file = writeFile('edge.yaml', [
      'apiVersion: terrace.dev/v1alpha1\nkind: Environment\nmetadata: {name: edge-app}\nspec: {target: edge, suspend: true, frontend: {}}',
      'apiVersion: terrace.dev/v1alpha1\nkind: Target\nmetadata: {name: edge}\nspec: {provider: local}',
      'apiVersion: terrace.dev/v1alpha1\nkind: Target\nmetadata: {name: spare}\nspec: {provider: local}',
    ].join('\n---\n'));
    const r = await terrace(['apply', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('target/edge created\ntarget/spare created\nenvironment/edge-app created\n');
  });

  it('get and status show the environment once the controller has applied it', async () => {
    plane.controller.enqueue('chat-dev');
    await eventually(async () => {
      const env = await plane.store.get('Environment', 'chat-dev');
      const ready = env?.status.conditions.find((c) => c.type === 'Ready');
      return ready?.status === 'True' && env!.status.observedGeneration === env!.metadata.generation ? true : undefined;
    }, 45_000, 'chat-dev Ready');

    const table = await terrace(['get', 'environments']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+READY\s+REASON\s+GENERATION\/OBSERVED\s+AGE$/m);
    expect(table.stdout).toMatch(/^chat-dev\s+True\s+\S+\s+1\/1\s+[0-9]+s$/m);
    expect(table.stdout).toMatch(/^edge-app\s+/m);
    const selected = await terrace(['get', 'environments', '-l', 'team=web']);
    expect(selected.stdout).toContain('chat-dev');
    expect(selected.stdout).not.toContain('edge-app');
    const one = JSON.parse((await terrace(['get', 'environment', 'chat-dev', '-o', 'json'])).stdout);
    expect(one.metadata).toMatchObject({ name: 'chat-dev', labels: { team: 'web' } });
    const targets = await terrace(['get', 'targets']);
    expect(targets.stdout).toMatch(/^NAME\s+PROVIDER\s+ACCOUNT\s+REGION$/m);
    expect(targets.stdout).toMatch(/^edge\s+local\s+-\s+-$/m);
    expect(parse((await terrace(['get', 'targets', '-o', 'yaml'])).stdout).items.map((t: { metadata: { name: string } }) => t.metadata.name)).toEqual(['edge', 'local', 'spare']);

    const status = await terrace(['status', 'chat-dev']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Ready\s+True\s+/m);
    expect(status.stdout).toMatch(/^TIER\s+READY\s+REASON\s+LAST APPLIED\s+LAST PLAN \(ADD\/CHANGE\/DESTROY\)$/m);
    for (const tier of ['network', 'data', 'compute', 'frontend', 'observability']) expect(status.stdout).toMatch(new RegExp(`^${tier}\\s+True\\s+\\S+\\s+[0-9]+s ago\\s+[0-9]+/0/0$`, 'm'));
    const missing = await terrace(['status', 'nowhere']);
    expect(missing).toMatchObject({ code: 1, stderr: 'error: Environment nowhere not found\n' });
  });

  it('approve with a plan no tier waits on fails with the API\'s reason', async () => {
    const r = await terrace(['approve', 'chat-dev', 'no-such-plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('plan no-such-plan is not awaiting approval (no plan is awaiting approval)');
  });

  it('reconcile, suspend, resume and delete', async () => {
    expect(await terrace(['reconcile', 'chat-dev'])).toMatchObject({ code: 0, stdout: 'environment/chat-dev: reconcile requested\n' });
    expect(await terrace(['suspend', 'chat-dev'])).toMatchObject({ code: 0, stdout: 'environment/chat-dev suspended\n' });
    expect((await (await api('/environments/chat-dev')).json()).spec.suspend).toBe(true);
    expect(await terrace(['resume', 'chat-dev'])).toMatchObject({ code: 0, stdout: 'environment/chat-dev resumed\n' });
    expect((await (await api('/environments/chat-dev')).json()).spec.suspend).toBe(false);

    expect(await terrace(['delete', 'target', 'spare'])).toMatchObject({ code: 0, stdout: 'target/spare deleted\n' });
    expect((await api('/targets/spare')).status).toBe(404);
    const used = await terrace(['delete', 'target', 'edge']);
    expect(used.code).toBe(1);
    expect(used.stderr).toContain('Target edge is used by edge-app');
    const deleting = await terrace(['delete', 'environment', 'edge-app']);
    expect(deleting).toMatchObject({ code: 0, stdout: expect.stringMatching(/^environment\/edge-app deleting/) });
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
