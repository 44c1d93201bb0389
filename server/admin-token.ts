import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToken, hashToken } from '../api/auth/tokens.ts';

export interface AdminToken {
  /** The token when this process knows it from a file or just made it; undefined when it came from the env. */
  token?: string;
  hash: string;
  /** True only when this call created the token, so it is printed once. */
  generated: boolean;
  file?: string;
}

const MIN_LENGTH = 16;

/**
 * TERRACE_ADMIN_TOKEN wins. Embedded mode without it generates a token and keeps it in
 * `<dataDir>/admin-token` (0600) for the next start; an external store must be given one.
 */
export function ensureAdminToken(options: { env: NodeJS.ProcessEnv; dataDir?: string; embedded: boolean }): AdminToken {
  const fromEnv = options.env.TERRACE_ADMIN_TOKEN?.trim();
  if (fromEnv) {
    if (fromEnv.length < MIN_LENGTH) throw new Error(`TERRACE_ADMIN_TOKEN is too short: use at least ${MIN_LENGTH} random characters`);
    return { hash: hashToken(fromEnv), generated: false };
  }
  if (!options.embedded) {
    throw new Error('TERRACE_ADMIN_TOKEN is not set: with an external table (TERRACE_TABLE) the admin token must be given, e.g. TERRACE_ADMIN_TOKEN=$(openssl rand -base64 32)');
  }
  if (!options.dataDir) {
    // In-memory embedded store: nothing survives a restart, neither does the token.
    const token = generateToken();
    return { token, hash: hashToken(token), generated: true };
  }
  const file = join(options.dataDir, 'admin-token');
  const existing = readToken(file);
  if (existing) return { token: existing, hash: hashToken(existing), generated: false, file };
  const token = generateToken();
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process made it between our read and write: use theirs.
    const theirs = (err as NodeJS.ErrnoException).code === 'EEXIST' ? readToken(file) : undefined;
    if (!theirs) throw err;
    return { token: theirs, hash: hashToken(theirs), generated: false, file };
  }
  return { token, hash: hashToken(token), generated: true, file };
}

function readToken(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text.length < MIN_LENGTH) throw new Error(`${file} does not hold a usable admin token: delete it to generate a new one`);
  // Someone loosened the mode: a token readable by others is tightened back.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return text;
}
