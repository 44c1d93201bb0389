import type { Environment } from '../specs/environment.ts';
import { ANNOTATIONS } from '../specs/meta.ts';
import { ConflictError, type Store, type StoredEnvironment } from '../specs/store/types.ts';
import type { Target } from '../specs/target.ts';
import { ValidationError } from '../specs/validate.ts';
import { allows } from './auth/authenticate.ts';
import { HttpProblem, notFound } from './errors.ts';
import type { Scope } from './schemas.ts';

// Shared steps of the document routes: preconditions, admission checks, read-modify-write.

/** `"5"`, `5`, `"4", "5"` or `*`. Weak tags never match: If-Match compares strongly (RFC 9110). */
export function parseIfMatch(header: string | undefined): string[] | '*' | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return '*';
  return header.split(',').map((s) => s.trim()).filter((s) => s && !s.startsWith('W/')).map((s) => s.replace(/^"(.*)"$/, '$1'));
}

export const etag = (resourceVersion: string | undefined) => `"${resourceVersion ?? ''}"`;

/** The resourceVersion to write against: the current one, after checking If-Match (412 when stale). */
export function precondition(ifMatch: string | undefined, current: { metadata: { resourceVersion?: string } } | undefined): string | undefined {
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

/** Only what a client may set: server-set metadata and status in the body are dropped here. */
export function clientFields<D extends Environment | Target>(doc: D): D {
  const { name, labels, annotations } = doc.metadata;
  return {
    apiVersion: doc.apiVersion,
    kind: doc.kind,
    metadata: { name, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    spec: doc.spec,
  } as D;
}

export function nameMatches(doc: { metadata: { name: string } }, name: string): void {
  if (doc.metadata.name !== name) {
    throw HttpProblem.invalid(422, [{ path: 'metadata.name', message: `${doc.metadata.name} does not match ${name} in the URL` }]);
  }
}

export async function requireTarget(store: Store, name: string): Promise<Target> {
  const target = await store.get('Target', name);
  if (!target) throw HttpProblem.invalid(422, [{ path: 'spec.target', message: `Target ${name} does not exist` }]);
  return target;
}

export async function requireEnvironment(store: Store, name: string): Promise<StoredEnvironment> {
  const env = await store.get('Environment', name);
  if (!env) throw notFound(`Environment ${name}`);
  return env;
}

export function notDeleting(env: { metadata: { name: string; deletionTimestamp?: string } }): void {
  if (env.metadata.deletionTimestamp) throw new HttpProblem(409, `Environment ${env.metadata.name} is being deleted`);
}

/** A spec update must not touch an environment being deleted, nor move it to another target. */
export function updatable(current: StoredEnvironment, next: Environment): void {
  notDeleting(current);
  if (current.spec.target !== next.spec.target) {
    // Its resources and terraform state live in the old target: moving would orphan them.
    throw HttpProblem.invalid(422, [{ path: 'spec.target', message: `cannot change from ${current.spec.target}: delete the environment and create it again` }]);
  }
}

const SERVER_ANNOTATIONS = Object.values(ANNOTATIONS);

/**
 * The annotations the API sets for the controller (approve, reconcile now) come only from the operate routes:
 * a body's values are dropped and the stored ones kept, so a write-scoped token cannot approve its own plan and
 * CI re-posting the same spec changes nothing.
 */
export function keepServerAnnotations(doc: Environment, current: StoredEnvironment | undefined): Environment {
  const isServer = (k: string) => (SERVER_ANNOTATIONS as string[]).includes(k);
  const fromClient = Object.entries(doc.metadata.annotations ?? {}).filter(([k]) => !isServer(k));
  const kept = Object.entries(current?.metadata.annotations ?? {}).filter(([k]) => isServer(k));
  const { annotations: _dropped, ...metadata } = doc.metadata;
  const merged = [...fromClient, ...kept];
  return { ...doc, metadata: merged.length > 0 ? { ...metadata, annotations: Object.fromEntries(merged) } : metadata };
}

/** Turning manual approval off lets plans apply unreviewed: that takes the operate scope, not just write. */
export function approvalChangeAllowed(current: StoredEnvironment | undefined, next: Environment, scopes: readonly Scope[]): void {
  if (current?.spec.approval === 'manual' && next.spec.approval !== 'manual' && !allows(scopes, 'operate')) {
    throw new HttpProblem(403, 'changing spec.approval from manual needs the operate scope');
  }
}

/**
 * Read-modify-write of one environment. The write is a compare-and-set on what was read, so a
 * concurrent spec change is never overwritten; it retries a few times, then answers 409.
 */
export async function mutateEnvironment(
  store: Store, name: string, change: (env: StoredEnvironment) => Environment, options: { allowDeleting?: boolean } = {},
): Promise<StoredEnvironment> {
  for (let attempt = 1; ; attempt++) {
    const env = await requireEnvironment(store, name);
    if (!options.allowDeleting) notDeleting(env);
    try {
      return await store.update(clientFields(change(env)), { expectedResourceVersion: env.metadata.resourceVersion });
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 3) conflictStatus(err, undefined);
    }
  }
}

export function statusView(env: StoredEnvironment) {
  const { observedGeneration, conditions, tiers } = env.status;
  return { ...(observedGeneration !== undefined ? { observedGeneration } : {}), generation: env.metadata.generation ?? 0, conditions, tiers };
}

/** store.list with a bad labelSelector is the client's query error: 400 at `querystring.labelSelector`. */
export async function listDocuments<K extends 'Environment' | 'Target'>(store: Store, kind: K, query: { limit?: number; continue?: string; labelSelector?: string }) {
  try {
    return await store.list(kind, query);
  } catch (err) {
    if (err instanceof ValidationError) throw HttpProblem.invalid(400, err.problems.map((p) => ({ ...p, path: `querystring.${p.path}` })));
    throw err;
  }
}
