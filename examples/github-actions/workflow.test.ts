import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ControlPlane } from '../../server/main.ts';
import { startTestControlPlane } from '../../test/support/control-plane.ts';
import { runBash } from '../../test/support/cli.ts';
import { tempDir } from '../../test/support/store.ts';

// The example workflow (terrace.yml) is run, not read: its `run:` steps that call terrace are executed by bash as
// GitHub would (`bash -eo pipefail`), job by job, against a real control plane with a write-scoped token.
// `npx terrace` becomes this checkout's bin and `${{ ... }}` the test's values; an expression the test does not
// know fails it, so the example cannot drift from what terrace accepts.

const WORKFLOW = fileURLToPath(new URL('./terrace.yml', import.meta.url));
const BIN = fileURLToPath(new URL('../../cli/terrace.mjs', import.meta.url));

interface Step { name?: string; run?: string; env?: Record<string, string> }
interface Job { if?: string; needs?: string | string[]; env?: Record<string, string>; steps: Step[] }
const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as { env?: Record<string, string>; jobs: Record<string, Job> };

let plane: ControlPlane;
let dir: ReturnType<typeof tempDir>;
let app: Server;
let appUrl: string;
let values: Record<string, string>;
const ran = new Set<string>();

/** `${{ expr }}` -> the test's value for it. */
function expand(text: string): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expr: string) => {
    if (!(expr in values)) throw new Error(`the workflow uses \${{ ${expr} }}, which this test gives no value`);
    return values[expr];
  });
}

/**
 * Runs the terrace steps of one job for `event`, as GitHub would: the job's `if` must admit the event and its
 * `needs` must have run; a step that exits non-zero fails the job. Answers each step's output.
 */
async function runJob(name: string, event: 'pull_request' | 'push'): Promise<{ step: string; stdout: string; stderr: string }[]> {
  const job = workflow.jobs[name];
  expect(job, `job ${name} in terrace.yml`).toBeDefined();
  if (job.if) expect(job.if, `job ${name} runs on ${event}`).toContain(`'${event}'`);
  for (const need of [job.needs ?? []].flat()) expect(ran.has(need), `job ${name} needs ${need}, which ran first`).toBe(true);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TERRACE_')));
  const jobEnv = Object.fromEntries(Object.entries({ ...workflow.env, ...job.env }).map(([k, v]) => [k, expand(String(v))]));
  const steps = job.steps.filter((s) => s.run && /\bterrace\b/.test(s.run));
  expect(steps.length, `job ${name} has terrace steps`).toBeGreaterThan(0);
  const outputs = [];
  for (const step of steps) {
    const script = expand(step.run!).replaceAll('npx terrace', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`);
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))]));
    const env = { ...inherited, ...jobEnv, ...stepEnv, GITHUB_STEP_SUMMARY: join(dir.path, `${name}.summary.md`), CI: 'true' };
    const r = await runBash(script, env, join(dir.path, 'repo'), 120_000);
    expect(r.code, `job ${name}, step "${step.name ?? step.run}" failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
    outputs.push({ step: step.name ?? step.run!, stdout: r.stdout, stderr: r.stderr });
  }
  ran.add(name);
  return outputs;
}

/** An environment file of the repository the workflow lives in: quick local tiers, checked over HTTP. */
function environmentYaml(name: string, extra: string): string {
  return `apiVersion: terrace.dev/v1alpha1
kind: Environment
metadata: { name: ${name} }
spec:
  target: local
  network: { cidr: 10.20.0.0/16, azCount: 2, natGateways: 1 }
  verify:
    baseUrl: ${appUrl}/${name}
    http: [{ path: /healthz }]
${extra}`;
}

beforeAll(async () => {
  dir = tempDir('terrace-gha-');
  ({ plane } = await startTestControlPlane(dir.path));
  // The deployed app the verify checks call: a real HTTP server on loopback.
  app = createServer((req, res) => res.writeHead(req.url?.endsWith('/healthz') ? 200 : 404).end());
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;

  const admin = { authorization: `Bearer ${plane && readFileSync(join(dir.path, 'admin-token'), 'utf8').trim()}`, 'content-type': 'application/json' };
  // CI's token: read and write, not operate or admin.
  const created = await fetch(`${plane.url}/v1/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'ci', scopes: ['read', 'write'] }) });
  expect(created.status).toBe(201);
  values = { 'vars.TERRACE_SERVER': plane.url, 'secrets.TERRACE_TOKEN': (await created.json()).token };

  mkdirSync(join(dir.path, 'repo', 'environments'), { recursive: true });
  writeFileSync(join(dir.path, 'repo', 'environments', 'staging.yaml'), environmentYaml('staging', '  frontend: { spa: false }\n'));
  // prod exists before the first promotion (an operator created it): its own URL, no frontend yet.
  const prod = await fetch(`${plane.url}/v1/environments/prod`, { method: 'PUT', headers: admin, body: JSON.stringify(parse(environmentYaml('prod', ''))) });
  expect(prod.status, await prod.clone().text()).toBe(201);
});
afterAll(async () => {
  await plane?.stop();
  await new Promise((resolve) => app?.close(resolve));
  dir?.remove();
});

describe('examples/github-actions/terrace.yml', () => {
  it('gives the token only to the steps that run terrace (not to npm ci) and pastes no ${{ }} into a script', () => {
    expect(JSON.stringify(workflow.env ?? {}), 'workflow env').not.toMatch(/secrets\./);
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect(JSON.stringify(job.env ?? {}), `job ${name} env`).not.toMatch(/secrets\./);
      for (const step of job.steps) {
        const holdsSecret = /secrets\./.test(JSON.stringify(step.env ?? {}));
        if (step.run) expect(step.run, `job ${name}: a run script`).not.toContain('${{');
        expect(holdsSecret, `job ${name}, step "${step.name ?? step.run ?? 'uses'}" holds a secret only if it runs terrace`).toBe(!!step.run && /\bnpx terrace\b/.test(step.run));
      }
    }
  });

  it('on a pull request, posts the plan of the change as the job summary', async () => {
    await runJob('diff', 'pull_request');
    const summary = readFileSync(join(dir.path, 'diff.summary.md'), 'utf8');
    expect(summary).toContain('### terrace diff: environment/staging');
    expect(summary).toMatch(/^```diff\nenvironment\/staging \(new: nothing is applied yet\)/m);
    expect(summary).toMatch(/^ {4}\+ terraform_data\.\S+$/m);
    expect((await fetch(`${plane.url}/v1/environments/staging`, { headers: { authorization: `Bearer ${values['secrets.TERRACE_TOKEN']}` } })).status).toBe(404);
  });

  it('on main, applies staging and waits until it is verified, then promotes it to prod and waits again', async () => {
    const [apply, wait] = await runJob('staging', 'push');
    expect(apply.stdout).toContain('environment/staging created');
    expect(wait.stdout).toMatch(/environment\/staging: condition Verified met at generation 1/);

    const [promote, waitProd] = await runJob('prod', 'push');
    expect(promote.stdout).toMatch(/frontend: \d+ to add, 0 to change, 0 to destroy/);
    expect(promote.stdout).toContain('environment/prod configured from environment/staging (generation 2)');
    expect(waitProd.stdout).toMatch(/environment\/prod: condition Verified met at generation 2/);
    const prod = await (await fetch(`${plane.url}/v1/environments/prod`, { headers: { authorization: `Bearer ${values['secrets.TERRACE_TOKEN']}` } })).json();
    expect(prod.spec.frontend).toMatchObject({ spa: false });
    expect(prod.spec.verify.baseUrl).toBe(`${appUrl}/prod`);
  });
});
