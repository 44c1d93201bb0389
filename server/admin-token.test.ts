import { readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/store.ts';
import { ensureAdminToken } from './admin-token.ts';
import { hashToken } from '../api/auth/tokens.ts';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
const dir = () => {
  const d = tempDir('terrace-admin-');
  dirs.push(d);
  return d.path;
};

describe('ensureAdminToken', () => {
  it('uses TERRACE_ADMIN_TOKEN when set, in any mode, and never writes a file', () => {
    const dataDir = dir();
    const token = 'a-long-enough-admin-token';
    const result = ensureAdminToken({ env: { TERRACE_ADMIN_TOKEN: token }, dataDir, embedded: true });
    expect(result).toEqual({ hash: hashToken(token), generated: false });
    expect(() => statSync(join(dataDir, 'admin-token'))).toThrow();
    expect(ensureAdminToken({ env: { TERRACE_ADMIN_TOKEN: token }, embedded: false }).hash).toBe(hashToken(token));
  });

  it('refuses a short TERRACE_ADMIN_TOKEN', () => {
    expect(() => ensureAdminToken({ env: { TERRACE_ADMIN_TOKEN: 'short' }, embedded: true })).toThrow(/TERRACE_ADMIN_TOKEN is too short/);
  });

  it('embedded: generates once into <dataDir>/admin-token (0600), then reuses it', () => {
    const dataDir = dir();
    const first = ensureAdminToken({ env: {}, dataDir, embedded: true });
    expect(first.generated).toBe(true);
    expect(first.token).toMatch(/^trc_[A-Za-z0-9_-]{43}$/);
    expect(first.hash).toBe(hashToken(first.token!));
    expect(first.file).toBe(join(dataDir, 'admin-token'));
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.file!, 'utf8').trim()).toBe(first.token);

    const second = ensureAdminToken({ env: {}, dataDir, embedded: true });
    expect(second).toEqual({ ...first, generated: false });
  });

  it('tightens a token file others can read', () => {
    const dataDir = dir();
    const file = join(dataDir, 'admin-token');
    writeFileSync(file, 'trc_an-existing-token-value\n');
    chmodSync(file, 0o644);
    expect(ensureAdminToken({ env: {}, dataDir, embedded: true }).hash).toBe(hashToken('trc_an-existing-token-value'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('embedded in memory: a fresh token each start, no file', () => {
    const result = ensureAdminToken({ env: {}, embedded: true });
    expect(result.generated).toBe(true);
    expect(result.file).toBeUndefined();
  });

  it('not embedded and unset: a clear error naming TERRACE_ADMIN_TOKEN', () => {
    expect(() => ensureAdminToken({ env: {}, dataDir: dir(), embedded: false })).toThrow(/TERRACE_ADMIN_TOKEN is not set/);
  });
});
