import type { Kind } from '../validate.ts';

/**
 * Single-table layout. Each key shape has one job:
 * - spec item:   pk `doc#<Kind>`      sk `<name>`          (Query by pk lists a kind in name order)
 * - status item: pk `status#<Kind>`   sk `<name>`
 * - event item:  pk `events#<name>`   sk `<time>#<random>` (newest first with ScanIndexForward=false)
 * - lease item:  pk `lease`           sk `<name>`
 * - token item:  pk `token`           sk `<sha256 of the token>`
 */
export const specKey = (kind: Kind, name: string) => ({ pk: `doc#${kind}`, sk: name });
export const statusKey = (name: string) => ({ pk: 'status#Environment', sk: name });
export const eventsPk = (name: string) => `events#${name}`;
export const leaseKey = (name: string) => ({ pk: 'lease', sk: name });
export const tokenKey = (hash: string) => ({ pk: 'token', sk: hash });

export function encodeContinue(sk: string): string {
  return Buffer.from(sk, 'utf8').toString('base64url');
}

export function decodeContinue(token: string | undefined): string | undefined {
  if (!token) return undefined;
  const sk = Buffer.from(token, 'base64url').toString('utf8');
  return sk.length > 0 ? sk : undefined;
}
