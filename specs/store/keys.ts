import { NAME_PATTERN } from '../meta.ts';
import { ValidationError, type Kind } from '../validate.ts';

/**
 * Single-table layout. Each key shape has one job:
 * - spec item:   pk `doc#<Kind>`      sk `<name>`          (Query by pk lists a kind in name order)
 * - status item: pk `status#Environment` sk `<name>` (only Environments have a status)
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

/** What a continue token may hold: a document name, or an event's sort key (`<ISO time>#<hex>`). */
export const CONTINUE_KEYS = {
  document: new RegExp(NAME_PATTERN),
  event: /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z#[0-9a-f]{8}$/,
} as const;

/**
 * The sort key a continue token stands for. A token this server did not give out is an error, never an
 * empty page: a paginating client would silently stop and lose the rest.
 */
export function decodeContinue(token: string | undefined, shape: RegExp): string | undefined {
  if (token === undefined || token === '') return undefined;
  const sk = Buffer.from(token, 'base64url').toString('utf8');
  if (encodeContinue(sk) !== token || !shape.test(sk)) {
    throw new ValidationError([{ path: 'continue', message: 'is not a continue token from a previous page: start again without it' }]);
  }
  return sk;
}
