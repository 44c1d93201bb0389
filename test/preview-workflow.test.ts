import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devEnvironment } from '../constructs/testing/fixtures.ts';
import type { ControlPlane } from '../server/main.ts';
import { startTestControlPlane } from './support/control-plane.ts';
import { sseReader } from './support/sse.ts';
import { tempDir } from './support/store.ts';
import { runJob, workflowJob, type Context, type StepRun } from './support/workflow-steps.ts';

// The GitHub Actions example's preview job, its steps run in order by bash against a real control plane (embedded
// DynamoDB, real terraform on the local target) for a pull request opened, pushed to, and closed. `npx terrace` is
// the real bin; `npm ci` has nothing to install here and `gh` cannot reach GitHub: both are recorded instead.

const repo = fileURLToPath(new URL('../', import.meta.url));
/** A workflow of its own beside terrace.yml (its pull request trigger differs: every pull request, and closed). */
const WORKFLOW = join(repo, 'examples/github-actions/preview.yml');

let plane: ControlPlane;
let dir: ReturnType<typeof tempDir>;
let admin: string;
let ciToken: string;
let app: Server;
let appUrl: string;

beforeAll(async () => {
  dir = tempDir('terrace-workflow-');
  let token: string;
  ({ plane, token } = await startTestControlPlane(join(dir.path, 'plane')));
  admin = token;
  app = createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end('ok'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  // staging: the base every preview copies (suspended: this test needs no terraform for it).
  const staging = devEnvironment('staging', (s) => {
    delete s.data;
    delete s.frontend;
    delete s.observability;
    delete s.compute.domain;
    s.suspend = true;
    s.compute.services = [{ name: 'web', image: 'ghcr.io/acme/app:main' }];
    s.verify = { baseUrl: appUrl, http: [{ path: '/healthz' }] };
  });
  expect((await api('/environments/staging', { method: 'PUT', body: JSON.stringify(staging) })).status).toBe(201);
  // CI's token has the write scope only.
  const created = await api('/tokens', { method: 'POST', body: JSON.stringify({ name: 'ci-previews', scopes: ['write'] }) });
  ciToken = (await created.json()).token;
  shims();
});
afterAll(async () => {
  await plane?.stop();
  app?.close();
  dir?.remove();
});

function api(path: string, init: RequestInit = {}) {
  return fetch(`${plane.url}/v1${path}`, { ...init, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...init.headers } });
}

const bin = () => join(dir.path, 'bin');
const ghLog = () => join(dir.path, 'gh.log');
const npmLog = () => join(dir.path, 'npm.log');

function shims(): void {
  mkdirSync(bin());
  mkdirSync(join(dir.path, 'checkout'));
  const write = (name: string, text: string) => {
    writeFileSync(join(bin(), name), text);
    chmodSync(join(bin(), name), 0o755);
  };
  write('npx', `#!/bin/sh\nif [ "$1" = terrace ]; then shift; exec "${process.execPath}" "${join(repo, 'cli/terrace.mjs')}" "$@"; fi\necho "npx $1: not in this test" >&2; exit 127\n`);
  // What npm ci sees of the control plane's token: the install scripts it runs are the pull request's dependencies'.
  write('npm', `#!/bin/sh\necho "npm $* token:\${TERRACE_TOKEN:-none}" >> "${npmLog()}"\n`);
  write('gh', `#!${process.execPath}\nrequire('node:fs').appendFileSync(${JSON.stringify(ghLog())}, JSON.stringify({ args: process.argv.slice(2), token: process.env.GH_TOKEN }) + '\\n');\n`);
}

const ghCalls = (): { args: string[]; token?: string }[] =>
  existsSync(ghLog()) ? readFileSync(ghLog(), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];

function pullRequestEvent(action: string, sha: string, headRepository = 'acme/app'): Context {
  return {
    github: { event_name: 'pull_request', repository: 'acme/app', token: 'ghs_test-token', event: { action, pull_request: { number: 42, head: { sha, repo: { full_name: headRepository } } } } },
    vars: { TERRACE_SERVER: plane.url, IMAGE_REPOSITORY: 'ghcr.io/acme/app' },
    secrets: { TERRACE_TOKEN: ciToken },
  };
}

async function run(action: string, sha: string): Promise<StepRun[]> {
  const job = workflowJob(readFileSync(WORKFLOW, 'utf8'), 'preview');
  const baseEnv = { PATH: `${bin()}:${process.env.PATH}`, HOME: dir.path };
  const runs = await runJob(job, pullRequestEvent(action, sha), { cwd: join(dir.path, 'checkout'), baseEnv, boundMs: 150_000 });
  for (const r of runs.filter((x) => x.outcome === 'ran')) expect(r.code, `${r.name}: ${r.stderr}`).toBe(0);
  return runs;
}

const outcomes = (runs: StepRun[]) => runs.map((r) => r.outcome);

async function untilDeleted(name: string, timeoutMs: number): Promise<void> {
  const res = await api(`/environments/${name}/watch`);
  if (res.status === 404) return;
  const events = sseReader(res.body!);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const m = await events.next(deadline - Date.now());
      if (m === 'timeout' || m === 'end') throw new Error(`${name} not gone within ${timeoutMs} ms (${m})`);
      if (m.event === 'deleted') return;
    }
  } finally {
    await events.cancel();
  }
}

describe('the GitHub Actions preview job', () => {
  it('pastes no ${{ }} expression into a script (the runner would substitute it into bash unquoted) and keeps secrets out of the job env', () => {
    const job = workflowJob(readFileSync(WORKFLOW, 'utf8'), 'preview');
    for (const step of job.steps) expect(step.run ?? '', step.name).not.toContain('${{');
    expect(Object.values(job.env ?? {}).join(' ')).not.toMatch(/secrets\.|github\.token/);
  });

  it('runs nothing for a pull request from a fork (it gets no secrets: the create would fail on an empty token)', async () => {
    const job = workflowJob(readFileSync(WORKFLOW, 'utf8'), 'preview');
    const runs = await runJob(job, pullRequestEvent('opened', 'f0f0f0', 'someone/app'), { cwd: join(dir.path, 'checkout'), baseEnv: { PATH: `${bin()}:${process.env.PATH}` }, boundMs: 10_000 });
    expect(runs).toEqual([]);
    expect((await api('/environments/pr-42')).status).toBe(404);
  });

  it('opened: creates pr-42 from staging with the pull request image and comments its URL; synchronize updates it; closed deletes it', async () => {
    const opened = await run('opened', 'abc123');
    expect(outcomes(opened)).toEqual(['uses', 'uses', 'ran', 'ran', 'ran', 'skipped']);
    let preview = await (await api('/environments/pr-42')).json();
    expect(preview.spec.compute.services[0].image).toBe('ghcr.io/acme/app:pr-42-abc123');
    expect(preview.metadata.labels['terrace.dev/preview-of']).toBe('staging');
    expect(preview.status.conditions.find((c: { type: string }) => c.type === 'Ready')?.status).toBe('True');
    expect(readFileSync(npmLog(), 'utf8')).toBe('npm ci token:none\n');
    const [comment] = ghCalls();
    expect(comment.token).toBe('ghs_test-token');
    expect(comment.args.slice(0, 8)).toEqual(['pr', 'comment', '42', '--repo', 'acme/app', '--edit-last', '--create-if-none', '--body']);
    expect(comment.args[8]).toBe(`Preview \`pr-42\` is up at ${appUrl} with ghcr.io/acme/app:pr-42-abc123. It is deleted when this pull request closes.`);

    const pushed = await run('synchronize', 'def456');
    expect(outcomes(pushed)).toEqual(['uses', 'uses', 'ran', 'ran', 'ran', 'skipped']);
    expect(pushed[3].stdout).toMatch(/^environment\/pr-42 updated as a preview of staging/m);
    preview = await (await api('/environments/pr-42')).json();
    expect(preview.spec.compute.services[0].image).toBe('ghcr.io/acme/app:pr-42-def456');
    expect(ghCalls()).toHaveLength(2);
    expect(ghCalls()[1].args[8]).toContain('ghcr.io/acme/app:pr-42-def456');

    const closed = await run('closed', 'def456');
    expect(outcomes(closed)).toEqual(['uses', 'uses', 'ran', 'skipped', 'skipped', 'ran']);
    expect(closed[5].stdout).toContain('environment/pr-42 deleting');
    await untilDeleted('pr-42', 90_000);
    expect((await api('/environments/pr-42')).status).toBe(404);
    expect((await api('/environments/staging')).status).toBe(200);
    expect(ghCalls()).toHaveLength(2);

    // Closed again (reopened with no push, or a preview that expired first): already gone is done, not a failed job.
    const again = await run('closed', 'def456');
    expect(outcomes(again)).toEqual(['uses', 'uses', 'ran', 'skipped', 'skipped', 'ran']);
    expect(again[5].stdout).toContain('environment/pr-42 not found: nothing to delete');
  });
});
