import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTarget } from '../specs/validate.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'terrace-deploy-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const ROLE = 'arn:aws:iam::999999999999:role/terrace-control-plane-task';

function terrace(...args: string[]) {
  return spawnSync(process.execPath, ['cli/terrace.mjs', ...args], { cwd: repo, encoding: 'utf8' });
}

describe('terrace bootstrap target and control-plane synth (the real bin)', () => {
  it('writes the bootstrap stack and prints the Target it serves, ready to apply', () => {
    const dir = join(out, 'bootstrap');
    const r = terrace('bootstrap', 'target', '-f', 'specs/examples/target-prod.yaml', '--control-plane-role', ROLE, '--out', dir);
    expect([r.status, r.stderr]).toEqual([0, expect.stringContaining('guardrails passed')]);
    const target = parseTarget(parse(r.stdout));
    expect(target.spec).toMatchObject({ roleArn: 'arn:aws:iam::333333333333:role/terrace/terrace-execution', stateBucket: 'terrace-state-333333333333-eu-west-1' });
    const tf = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
    expect(JSON.parse(tf.resource.aws_iam_role.execution_role.assume_role_policy).Statement[0].Principal).toEqual({ AWS: ROLE });
  });

  it('asks for an external id, suggesting one, and writes nothing', () => {
    const file = join(out, 'no-id.yaml');
    writeFileSync(file, 'apiVersion: terrace.dev/v1alpha1\nkind: Target\nmetadata: {name: dev}\nspec: {provider: aws, accountId: "222222222222", region: eu-west-1}\n');
    const r = terrace('bootstrap', 'target', '-f', file, '--control-plane-role', ROLE, '--out', join(out, 'no-id'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/spec.externalId is required.*\n  externalId: [0-9a-f]{32}\n/);
    expect(existsSync(join(out, 'no-id'))).toBe(false);
    expect(terrace('bootstrap', 'target', '-f', file, '--control-plane-role', 'not-an-arn').stderr).toMatch(/--control-plane-role not-an-arn is not an IAM role ARN/);
  });

  it('synthesizes the control plane and names the task role to bootstrap targets with', () => {
    const dir = join(out, 'control-plane');
    const r = terrace('control-plane', 'synth', '-f', 'specs/examples/control-plane.yaml', '--out', dir);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`task role (for terrace bootstrap target --control-plane-role): ${ROLE}`);
    expect(JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')).resource.aws_dynamodb_table.store_table.name).toBe('terrace');
  });

  it('refuses an invalid ControlPlane, naming each problem by path', () => {
    const file = join(out, 'bad.yaml');
    writeFileSync(file, 'apiVersion: terrace.dev/v1alpha1\nkind: ControlPlane\nmetadata: {name: terrace}\nspec: {accountId: "1", region: eu-west-1, image: x, targetAccounts: [], public: "yes"}\n');
    const r = terrace('control-plane', 'synth', '-f', file, '--out', join(out, 'bad'));
    expect(r.status).toBe(1);
    for (const path of ['spec.accountId', 'spec.targetAccounts', 'spec.public', 'spec.domain']) expect(r.stderr).toContain(`error: ${file} ${path}:`);
  });
});
