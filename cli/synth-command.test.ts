import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'terrace-synth-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function terrace(...args: string[]) {
  return spawnSync(process.execPath, ['cli/terrace.mjs', 'synth', ...args], { cwd: repo, encoding: 'utf8' });
}

describe('terrace synth (the real bin)', () => {
  it('writes every tier of the staging and prod examples and reports each', () => {
    const r = terrace('-f', 'specs/examples/staging-prod.yaml', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const env of ['chat-staging', 'chat-prod']) {
      for (const tier of ['network', 'data', 'compute', 'frontend', 'observability']) {
        const file = join(out, env, tier, 'cdk.tf.json');
        expect(existsSync(file)).toBe(true);
        expect(r.stdout).toMatch(new RegExp(`^${env}/${tier}: [0-9]+ resources, guardrails passed$`, 'm'));
      }
    }
    const backend = JSON.parse(readFileSync(join(out, 'chat-prod', 'data', 'cdk.tf.json'), 'utf8')).terraform.backend.s3;
    expect(backend).toMatchObject({ key: 'chat-prod/data.tfstate', use_lockfile: true });
  });

  it('uses the implicit local target for the dev example', () => {
    const r = terrace('-f', 'specs/examples/dev.yaml', '--out', out);
    expect(r.status).toBe(0);
    const tf = JSON.parse(readFileSync(join(out, 'chat-dev', 'network', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(tf.resource)).toEqual(['terraform_data']);
  });

  it('fails on an invalid file, naming every problem by path', () => {
    const bad = join(out, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: terrace.dev/v1alpha1\nkind: Environment\nmetadata: {name: bad-env}\nspec:\n  target: local\n  network: {azCount: 4}\n  compute: {services: [{name: web, image: x, cpu: 300}]}\n');
    const r = terrace('-f', bad, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad} spec.network.azCount: 4 is not one of 2, 3`);
    expect(existsSync(join(out, 'bad-env'))).toBe(false);
  });

  it('fails when an environment names a target that no file holds', () => {
    const r = terrace('-f', 'specs/examples/dev.yaml', '-f', writeOrphan(), '--out', join(out, 'orphaned'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('orphan: spec.target: target nowhere is in none of the given files');
    expect(existsSync(join(out, 'orphaned'))).toBe(false);
  });
});

function writeOrphan(): string {
  const file = join(out, 'orphan.yaml');
  writeFileSync(file, 'apiVersion: terrace.dev/v1alpha1\nkind: Environment\nmetadata: {name: orphan}\nspec:\n  target: nowhere\n  frontend: {}\n');
  return file;
}
