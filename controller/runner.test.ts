import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/store.ts';
import { TerraformCli } from './runner.ts';
import { lockInfo, parseGoTime, parseJsonStream } from './terraform-json.ts';

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

describe('TerraformCli with real terraform', () => {
  it('plans with change counts, applies the plan file, and returns only non-sensitive outputs', async () => {
    const work = workdir();
    const tf = new TerraformCli({ homeDir: join(dir.path, 'home') });
    const run = { timeoutMs: 60_000 };
    expect((await tf.init(work, run)).code).toBe(0);
    const plan = await tf.plan(work, 'p.tfplan', run);
    expect(plan.code).toBe(0);
    expect(plan.changes).toEqual({ add: 1, change: 0, remove: 0 });
    expect((await tf.apply(work, 'p.tfplan', run)).code).toBe(0);
    expect(await tf.outputs(work, run)).toEqual({ a: 'x' });
    const again = await tf.plan(work, 'p.tfplan', run);
    expect(again.changes).toBeUndefined();
  });

  it('stops a run at its timeout and says so', async () => {
    const work = workdir();
    const tf = new TerraformCli({ homeDir: join(dir.path, 'home'), killGraceMs: 2_000 });
    const result = await tf.plan(work, 'p.tfplan', { timeoutMs: 1 });
    expect(result.timedOut).toBe(true);
    expect(result.code).not.toBe(0);
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

  it('writes its own CLI config and passes no TF_ variable of the parent', async () => {
    const work = workdir();
    process.env.TF_LOG = 'TRACE';
    try {
      const tf = new TerraformCli({ homeDir: join(dir.path, 'home') });
      const result = await tf.init(work, { timeoutMs: 60_000 });
      expect(result.stderr).not.toContain('[TRACE]');
    } finally {
      delete process.env.TF_LOG;
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
