import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDocuments } from '../specs/load.ts';

const repo = fileURLToPath(new URL('../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'terrace-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CHAT = 'specs/import/render/testdata/chat.yaml';

function terrace(...args: string[]) {
  return spawnSync(process.execPath, ['cli/terrace.mjs', 'import', 'render', ...args], { cwd: repo, encoding: 'utf8' });
}

describe('terrace import render (the real bin)', () => {
  it('writes valid Environments on stdout and the report on stderr', () => {
    const r = terrace(CHAT, '--target', 'local', '--name', 'chat', '--image-registry', 'ghcr.io/acme');
    expect(r.status).toBe(0);
    const docs = loadDocuments(r.stdout, 'stdout');
    expect(docs.map((d) => [d.kind, d.metadata.name])).toEqual([['Environment', 'chat']]);
    expect(r.stderr).toContain('mapped   services[0]: web chat-web -> compute.services chat-web');
    expect(r.stderr).toMatch(/^warning  services\[1\]\.disk: Fargate tasks have no persistent disk/m);
    expect(r.stderr).toMatch(/^1 Environment\(s\), [0-9]+ mapped, [0-9]+ warning\(s\)$/m);
    expect(r.stdout).not.toContain('warning');
  });

  it('writes JSON with -o json, one document per Render environment', () => {
    const r = terrace('specs/import/render/testdata/projects.yaml', '--target', 'local', '--image-registry', 'ghcr.io/acme', '-o', 'json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).map((d: { metadata: { name: string } }) => d.metadata.name)).toEqual(['shop-staging', 'shop-production']);
  });

  it('exits 1 with the YAML path on a file that is not a Blueprint, and nothing on stdout, never a stack', () => {
    const file = join(dir, 'render.yaml');
    writeFileSync(file, 'services:\n  - { type: database, name: db }\n');
    const r = terrace(file, '--target', 'local');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: services[0].type: "database" is not a service type (one of web, pserv, worker, cron, keyvalue, redis; a static site is type web with runtime static)\n');
  });

  it('exits 1 naming the flag when a service needs an image registry, and on a missing file', () => {
    const r = terrace(CHAT, '--target', 'local');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error: services[0].image: chat-web builds from source on Render: give --image-registry');
    const missing = terrace(join(dir, 'nope.yaml'), '--target', 'local');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`error: ${join(dir, 'nope.yaml')}: no such file\n`);
  });
});
