import { freshOf } from '../specs/store/cached-store.ts';
import { ConflictError, type Store, type StoredEnvironment } from '../specs/store/types.ts';
import type { Environment } from '../specs/environment.ts';
import type { Target } from '../specs/target.ts';
import { assertNotDeleting, clientFields } from './admission.ts';
import { HttpProblem, notFound } from './errors.ts';

// Preconditions of a write: the document exists, the URL and body agree, If-Match holds, and a
// compare-and-set that lost a race answers 409/412. What a write is checked against is read from the store
// itself (freshOf), never from the read cache: a stale copy would turn into a spurious 409/412 or admission.

/** `"5"`, `5`, `"4", "5"` or `*`. Weak tags never match: If-Match compares strongly (RFC 9110). */
export function parseIfMatch(header: string | undefined): string[] | '*' | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return '*';
  return header.split(',').map((s) => s.trim()).filter((s) => s && !s.startsWith('W/')).map((s) => s.replace(/^"(.*)"$/, '$1'));
}

export const etag = (resourceVersion: string | undefined) => `"${resourceVersion ?? ''}"`;

/** The resourceVersion to write against: the current one, after checking If-Match (412 when stale). */
export function assertIfMatch(ifMatch: string | undefined, current: { metadata: { resourceVersion?: string } } | undefined): string | undefined {
  const wanted = parseIfMatch(ifMatch);
  if (!current) {
    if (wanted !== undefined) throw new HttpProblem(412, 'If-Match given but the document does not exist');
    return undefined;
  }
  const rv = current.metadata.resourceVersion!;
  if (wanted !== undefined && wanted !== '*' && !wanted.includes(rv)) {
    throw new HttpProblem(412, `resourceVersion is ${rv}, not ${wanted.join(' or ') || ifMatch}`);
  }
  return rv;
}

/** A store ConflictError under a compare-and-set: 412 when the client asked for a version, else 409. */
export function conflictStatus(err: unknown, ifMatch: string | undefined): never {
  if (err instanceof ConflictError) throw new HttpProblem(ifMatch === undefined ? 409 : 412, err.message);
  throw err;
}

export function assertNameMatches(doc: { metadata: { name: string } }, name: string): void {
  if (doc.metadata.name !== name) {
    throw HttpProblem.invalid(422, [{ path: 'metadata.name', message: `${doc.metadata.name} does not match ${name} in the URL` }]);
  }
}

export async function requireTarget(store: Store, name: string): Promise<Target> {
  const target = await freshOf(store).get('Target', name);
  if (!target) throw HttpProblem.invalid(422, [{ path: 'spec.target', message: `Target ${name} does not exist` }]);
  return target;
}

export async function requireEnvironment(store: Store, name: string): Promise<StoredEnvironment> {
  const env = await store.get('Environment', name);
  if (!env) throw notFound(`Environment ${name}`);
  return env;
}

/** Names of the environments whose spec names this target, deleting ones included (they still need it to tear down). */
export async function environmentsUsing(store: Store, target: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await freshOf(store).list('Environment', { limit: 500, continue: token });
    names.push(...page.items.filter((e) => e.spec.target === target).map((e) => e.metadata.name));
    token = page.continue;
  } while (token);
  return names;
}

/**
 * Read-modify-write of one environment. The write is a compare-and-set on what was read, so a
 * concurrent spec change is never overwritten; it retries a few times, then answers 409.
 */
export async function mutateEnvironment(
  store: Store, name: string, change: (env: StoredEnvironment) => Environment, options: { allowDeleting?: boolean } = {},
): Promise<StoredEnvironment> {
  for (let attempt = 1; ; attempt++) {
    const env = await requireEnvironment(freshOf(store), name);
    if (!options.allowDeleting) assertNotDeleting(env);
    try {
      return await store.update(clientFields(change(env)), { expectedResourceVersion: env.metadata.resourceVersion });
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 3) conflictStatus(err, undefined);
    }
  }
}
