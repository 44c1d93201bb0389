import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/store.ts';
import { TerraformCli } from './runner.ts';
import { appliedOutputs, lockInfo, parseGoTime, parseJsonStream } from './terraform-json.ts';

let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

const STACK = JSON.stringify({ resource: { terraform_data: { a: { input: 'x' } } }, output: { a: { value: '${terraform_data.a.output}' }, hidden: { value: 'h', sensitive: true } } });

function workdir(): string {
  dir = tempDir();
  const work = join(dir.path, 'work');
  mkdirSync(work);
  writeFileSync(join(work, 'cdk.tf.json'), STACK);
  return work;
}

describe('outputs from an apply stream', () => {
  it('are asked of terraform output instead when the stream has no outputs message or a value is missing', () => {
    expect(appliedOutputs(parseJsonStream('{"type":"apply_complete","hook":{"resource":{"addr":"x.y"}}}'))).toBeUndefined();
    expect(appliedOutputs(parseJsonStream('{"type":"outputs","outputs":{"a":{"sensitive":false,"action":"create"}}}'))).toBeUndefined(); // a plan's
    expect(appliedOutputs(parseJsonStream('{"type":"outputs","outputs":{}}'))).toEqual({});
  });
});

describe('TerraformCli with real terraform', () => {
  it('plans with change counts, applies the plan file, and returns only non-sensitive outputs', async () => {
    const work = workdir();
    const tf = new TerraformCli({ homeDir: join(dir.path, 'home') });
    const run = { timeoutMs: 60_000 };
    expect((await tf.init(work, run)).code).toBe(0);
    const plan = await tf.plan(work, 'p.tfplan', run);
    expect(plan.code).toBe(0);
    expect(plan.changes).toEqual({ add: 1, change: 0, remove: 0 });
    const applied = await tf.apply(work, 'p.tfplan', run);
    expect(applied.code).toBe(0);
    expect(await tf.outputs(work, run)).toEqual({ a: 'x' });
    // apply -json says the same in its outputs message, the sensitive one without its value (left out).
    expect(applied.parsed.outputs?.hidden).toEqual({ sensitive: true, type: 'string' });
    expect(appliedOutputs(applied.parsed)).toEqual({ a: 'x' });
    const again = await tf.plan(work, 'p.tfplan', run);
    expect(again.changes).toBeUndefined();
  });

  // A stand-in for a terraform run that outlasts its timeout: real terraform may finish first on a loaded machine.
  function slowTerraform(script: string): string {
    const bin = join(dir.path, 'slow-terraform');
    writeFileSync(bin, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return bin;
  }

  it('stops a run at its timeout with SIGINT and says so', async () => {
    const work = workdir();
    const tf = new TerraformCli({ homeDir: join(dir.path, 'home'), bin: slowTerraform('exec sleep 30'), killGraceMs: 20_000 });
    const result = await tf.plan(work, 'p.tfplan', { timeoutMs: 100 });
    expect(result.timedOut).toBe(true);
    expect(result.code).not.toBe(0);
    expect(result.durationMs).toBeLessThan(15_000); // SIGINT ended it, not the grace period's SIGKILL
  });

  it('kills a run that ignores SIGINT once the grace period is over', async () => {
    const work = workdir();
    const tf = new TerraformCli({ homeDir: join(dir.path, 'home'), bin: slowTerraform("trap '' INT\nexec sleep 30"), killGraceMs: 300 });
    const result = await tf.plan(work, 'p.tfplan', { timeoutMs: 100 });
    expect(result.timedOut).toBe(true);
    expect(result.code).not.toBe(0);
    expect(result.durationMs).toBeGreaterThanOrEqual(390);
    expect(result.durationMs).toBeLessThan(20_000);
  });

  it('cancels a run when its signal aborts', async () => {
    const work = workdir();
    const tf = new TerraformCli({ homeDir: join(dir.path, 'home'), killGraceMs: 2_000 });
    const abort = new AbortController();
    abort.abort();
    const result = await tf.plan(work, 'p.tfplan', { timeoutMs: 60_000, signal: abort.signal });
    expect(result.cancelled).toBe(true);
    expect(result.code).not.toBe(0);
  });

  it('reports a missing terraform binary as a failed run, not a crash', async () => {
    const work = workdir();
    const tf = new TerraformCli({ homeDir: join(dir.path, 'home'), bin: 'terraform-does-not-exist' });
    const result = await tf.init(work, { timeoutMs: 10_000 });
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('could not run terraform-does-not-exist');
  });

  it('gives terraform its own CLI config and automation settings, and no TF_ variable of the parent', async () => {
    const work = workdir();
    const home = join(dir.path, 'home');
    const run = { timeoutMs: 60_000 };
    // Started exactly as terraform would be, it prints the environment the child receives.
    const printEnv = join(dir.path, 'print-env');
    writeFileSync(printEnv, '#!/bin/sh\nexec env\n', { mode: 0o755 });
    const parent = { TF_LOG: process.env.TF_LOG, TF_CLI_CONFIG_FILE: process.env.TF_CLI_CONFIG_FILE };
    process.env.TF_LOG = 'TRACE';
    process.env.TF_CLI_CONFIG_FILE = join(dir.path, 'users-own.rc'); // does not exist: terraform would say so
    try {
      const printed = await new TerraformCli({ homeDir: home, bin: printEnv }).init(work, run);
      const child = Object.fromEntries(printed.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      expect(child).toMatchObject({ TF_CLI_CONFIG_FILE: join(home, 'terraform.rc'), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' });
      expect(Object.keys(child).filter((k) => k.startsWith('TF_')).sort()).toEqual(['TF_CLI_CONFIG_FILE', 'TF_INPUT', 'TF_IN_AUTOMATION']);
      const rc = readFileSync(child.TF_CLI_CONFIG_FILE, 'utf8');
      expect(rc).toMatch(/^disable_checkpoint = true$/m);
      expect(rc).toMatch(new RegExp(`^plugin_cache_dir = "${join(home, 'plugin-cache')}"$`, 'm'));
      expect(statSync(join(home, 'plugin-cache')).isDirectory()).toBe(true);

      // Real terraform reads that file without complaint: a missing file or cache dir would be reported.
      const init = await new TerraformCli({ homeDir: home }).init(work, run);
      expect(init.code).toBe(0);
      expect(init.stdout + init.stderr).not.toMatch(/problems with the CLI configuration/);
      expect(init.stderr).not.toContain('[TRACE]');
    } finally {
      for (const [k, v] of Object.entries(parent)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('terraform -json parsing', () => {
  it('reads diagnostics, change summaries and lock info', () => {
    const stream = [
      JSON.stringify({ type: 'change_summary', changes: { add: 2, change: 1, remove: 0 } }),
      'not json',
      JSON.stringify({ type: 'diagnostic', diagnostic: { severity: 'error', summary: 'Error acquiring the state lock', detail: 'Lock Info:\n  ID:        1234-abcd\n  Who:       root@host\n  Created:   2026-01-01 00:00:00 +0000 UTC' } }),
    ].join('\n');
    const parsed = parseJsonStream(stream);
    expect(parsed.changes).toEqual({ add: 2, change: 1, remove: 0 });
    expect(lockInfo(parsed.diagnostics)).toEqual({ id: '1234-abcd', who: 'root@host', created: '2026-01-01 00:00:00 +0000 UTC', createdAt: Date.UTC(2026, 0, 1) });
  });

  it('reads the lock times terraform prints', () => {
    expect(parseGoTime('2026-03-04 05:06:07.123456789 +0000 UTC')).toBe(Date.UTC(2026, 2, 4, 5, 6, 7, 123));
    expect(parseGoTime('2026-03-04 07:06:07 +0200 CEST')).toBe(Date.UTC(2026, 2, 4, 5, 6, 7));
    expect(parseGoTime('yesterday')).toBeUndefined();
  });

  it('does not mistake a corrupt state file for a held lock', () => {
    const corrupt = { severity: 'error' as const, summary: 'Error acquiring the state lock', detail: 'Error message: Unsupported state file format' };
    expect(lockInfo([corrupt])).toBeUndefined();
  });
});
