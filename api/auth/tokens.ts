import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Tokens are stored and compared by their sha256; the token itself is never kept. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** `trc_` + 32 random bytes: the prefix lets secret scanners recognise a leaked token. */
export function generateToken(): string {
  return `trc_${randomBytes(32).toString('base64url')}`;
}

/** The public handle of a token: enough to name it, useless to guess it. */
export function tokenId(hash: string): string {
  return hash.slice(0, 12);
}

/** Constant-time comparison of two sha256 hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}
