import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../test/support/store.ts';

// `bootstrap target --apply` runs terraform with the caller's AWS credentials. No AWS account is reachable here,
// so a stand-in `terraform` first on PATH answers like terraform's -json output and records how it was called.
const repo = fileURLToPath(new URL('../', import.meta.url));
const ROLE = 'arn:aws:iam::999999999999:role/terrace-control-plane-task';
let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

function fakeTerraform(plan: { add: number; remove: number; fails?: boolean }): { bin: string; calls: () => string[] } {
  const log = join(dir.path, 'calls.log');
  const summary = (op: string) => `{"type":"change_summary","changes":{"add":${plan.add},"change":0,"remove":${plan.remove},"operation":"${op}"}}`;
  const failure = '{"type":"diagnostic","diagnostic":{"severity":"error","summary":"No valid credential sources found","detail":"Please see the AWS provider docs"}}';
  writeFileSync(join(dir.path, 'terraform'), [
    '#!/bin/sh',
    `echo "$1 | $(pwd) | $AWS_ACCESS_KEY_ID | $TF_CLI_CONFIG_FILE | $*" >> ${log}`,
    'case "$1" in',
    '  init) exit 0 ;;',
    plan.fails ? `  plan) echo '${failure}'; exit 1 ;;` : `  plan) echo '${summary('plan')}'; exit ${plan.add + plan.remove > 0 ? 2 : 0} ;;`,
    `  apply) echo '${summary('apply')}'; exit 0 ;;`,
    'esac',
    'exit 1',
  ].join('\n'), { mode: 0o755 });
  return { bin: dir.path, calls: () => readFileSync(log, 'utf8').trim().split('\n') };
}

function bootstrapApply(binDir: string) {
  const out = join(dir.path, 'out');
  const r = spawnSync(process.execPath, ['cli/terrace.mjs', 'bootstrap', 'target', '-f', 'specs/examples/target-prod.yaml', '--control-plane-role', ROLE, '--out', out, '--apply'], {
    cwd: repo, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, PATH: `${binDir}:${process.env.PATH}`, AWS_ACCESS_KEY_ID: 'AKIAFAKEFORTEST', TF_CLI_CONFIG_FILE: '/root/.terraformrc-of-the-user' },
  });
  return { ...r, out };
}

describe('terrace bootstrap target --apply', () => {
  it("applies the plan it made, in the stack's directory, with the caller's AWS credentials and terrace's own CLI config", () => {
    dir = tempDir();
    const terraform = fakeTerraform({ add: 14, remove: 0 });
    const r = bootstrapApply(terraform.bin);
    expect(r.stderr).toContain('plan: 14 to add, 0 to change, 0 to destroy');
    expect(r.stderr).toContain(`applied; keep ${join(r.out, 'terraform.tfstate')}`);
    expect(r.status).toBe(0);
    expect(parse(r.stdout).spec.roleArn).toBe('arn:aws:iam::333333333333:role/terrace/terrace-execution');
    const calls = terraform.calls().map((c) => c.split(' | '));
    expect(calls.map((c) => c[0])).toEqual(['init', 'plan', 'apply']);
    for (const [, cwd, key, rc] of calls) {
      expect(cwd).toBe(r.out);
      expect(key).toBe('AKIAFAKEFORTEST');
      expect(rc).toBe(join(r.out, '.terrace-terraform', 'terraform.rc'));
    }
    expect(calls[2][4]).toMatch(/ bootstrap\.tfplan$/); // exactly the plan shown
  });

  it('does not apply a plan that destroys anything, and says how to review it', () => {
    dir = tempDir();
    const terraform = fakeTerraform({ add: 1, remove: 2 });
    const r = bootstrapApply(terraform.bin);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error: the plan destroys 2 resource\(s\): not applied\. Review it with `terraform -chdir=.* show bootstrap\.tfplan`/);
    expect(terraform.calls().map((c) => c.split(' | ')[0])).toEqual(['init', 'plan']);
    expect(r.stdout).toBe('');
  });

  it("reports terraform's own error in one line and exits 1", () => {
    dir = tempDir();
    const terraform = fakeTerraform({ add: 1, remove: 0, fails: true });
    const r = bootstrapApply(terraform.bin);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: terraform plan failed: No valid credential sources found: Please see the AWS provider docs$/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
