import { declaredTiers, type Environment } from '../specs/environment.ts';
import { ANNOTATIONS } from '../specs/meta.ts';
import { EXPIRES_AT_ANNOTATION } from '../specs/preview.ts';
import { stableStringify } from '../specs/store/stable-json.ts';
import type { StoredEnvironment } from '../specs/store/types.ts';
import { localTarget, previewPolicy, type Target } from '../specs/target.ts';
import { allows } from './auth/authenticate.ts';
import { HttpProblem } from './errors.ts';
import type { Scope } from './schemas.ts';

// Admission: what a caller may change, decided from the stored document, the proposed one and the caller's
// scopes. Pure functions that throw the HttpProblem to answer; the routes run them before any write or dry run.

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

// A preview's expiry too: only the preview routes set or extend it (write scope), never a spec PUT.
const SERVER_ANNOTATIONS: readonly string[] = [...Object.values(ANNOTATIONS), EXPIRES_AT_ANNOTATION];

/**
 * The annotations the API sets for the controller (approve, reconcile now) come only from the operate routes:
 * a body's values are dropped and the stored ones kept, so a write-scoped token cannot approve its own plan and
 * CI re-posting the same spec changes nothing.
 */
export function keepServerAnnotations(doc: Environment, current: StoredEnvironment | undefined): Environment {
  const isServer = (k: string) => SERVER_ANNOTATIONS.includes(k);
  const fromClient = Object.entries(doc.metadata.annotations ?? {}).filter(([k]) => !isServer(k));
  const kept = Object.entries(current?.metadata.annotations ?? {}).filter(([k]) => isServer(k));
  const { annotations: _dropped, ...metadata } = doc.metadata;
  const merged = [...fromClient, ...kept];
  return { ...doc, metadata: merged.length > 0 ? { ...metadata, annotations: Object.fromEntries(merged) } : metadata };
}

export function assertNotDeleting(env: { metadata: { name: string; deletionTimestamp?: string } }): void {
  if (env.metadata.deletionTimestamp) throw new HttpProblem(409, `Environment ${env.metadata.name} is being deleted`);
}

/**
 * A spec update must not touch an environment being deleted nor move it to another target. What stops, releases
 * or destroys (suspend, manual approval, a tier no longer declared) is the operate scope's to change, as on the
 * operate routes: CI's write token cannot tear a tier down by leaving it out.
 */
export function assertEnvironmentAdmitted(current: StoredEnvironment | undefined, next: Environment, scopes: readonly Scope[]): void {
  if (!current) return;
  assertNotDeleting(current);
  if (current.spec.target !== next.spec.target) {
    // Its resources and terraform state live in the old target: moving would orphan them.
    throw HttpProblem.invalid(422, [{ path: 'spec.target', message: `cannot change from ${current.spec.target}: delete the environment and create it again` }]);
  }
  if (allows(scopes, 'operate')) return;
  if (current.spec.approval === 'manual' && next.spec.approval !== 'manual') {
    throw new HttpProblem(403, 'changing spec.approval from manual needs the operate scope');
  }
  if (current.spec.suspend !== next.spec.suspend) {
    throw new HttpProblem(403, `changing spec.suspend (stored: ${current.spec.suspend}) needs the operate scope: send the stored value, or use POST .../${current.spec.suspend ? 'resume' : 'suspend'}`);
  }
  const dropped = declaredTiers(current.spec).filter((tier) => !declaredTiers(next.spec).includes(tier));
  if (dropped.length > 0) {
    throw new HttpProblem(403, `removing spec.${dropped.join(', spec.')} destroys ${dropped.length > 1 ? 'those tiers' : 'that tier'}: it needs the operate scope`);
  }
}

/** What an environment's state and resources are tied to: changing it on a Target in use strands them. */
const TARGET_IDENTITY = ['provider', 'accountId', 'region', 'stateBucket'] as const;

const BUILT_IN_TARGET = localTarget().metadata.name;

/**
 * `local` is built in: it is what it is, also where no store registered it (an external table), so that nobody
 * can claim the name for an account of their own. A Target in use keeps where its environments' state and
 * resources live.
 */
export function assertTargetAdmitted(current: Target | undefined, next: Target, usedBy: readonly string[], scopes: readonly Scope[]): void {
  if (next.metadata.name === BUILT_IN_TARGET && !sameTarget(current ?? localTarget(), next)) {
    throw new HttpProblem(409, `Target ${BUILT_IN_TARGET} is built in and cannot be changed`);
  }
  if (!current) return;
  // The preview guardrail would bind nobody if the write token it limits (CI's) could lift it.
  const [was, now] = [previewPolicy(current), previewPolicy(next)];
  if ((now.allowed && !was.allowed) || now.max > was.max) {
    if (!allows(scopes, 'operate')) throw new HttpProblem(403, `allowing previews or raising spec.previews.max of Target ${current.metadata.name} needs the operate scope`);
  }
  const moved = TARGET_IDENTITY.filter((field) => current.spec[field] !== next.spec[field]);
  if (moved.length > 0 && usedBy.length > 0) {
    throw new HttpProblem(409, `cannot change ${moved.map((f) => `spec.${f}`).join(', ')} of Target ${current.metadata.name}: ${nameList(usedBy)} keep their state and resources there`);
  }
}

/**
 * A new preview on `target`, which holds the previews `existing` already: refused where the Target forbids them
 * (a production account) or past its cap. Both are 409s: the Target's state refuses it, whatever the caller's scopes.
 * Lowering the cap later deletes nothing: it stops new previews until enough expire.
 */
export function assertPreviewAdmitted(target: Target, existing: readonly string[]): void {
  const { allowed, max } = previewPolicy(target);
  const name = target.metadata.name;
  if (!allowed) throw new HttpProblem(409, `Target ${name} does not allow preview environments (spec.previews.allowed: false)`);
  if (existing.length >= max) {
    throw new HttpProblem(409, `Target ${name} holds at most ${max} previews (spec.previews.max: ${max}) and has ${existing.length}: ${nameList(existing)}; delete one or raise the cap`);
  }
}

export function assertTargetDeletable(target: Target, usedBy: readonly string[]): void {
  if (target.metadata.name === BUILT_IN_TARGET) throw new HttpProblem(409, `Target ${BUILT_IN_TARGET} is built in and cannot be deleted`);
  if (usedBy.length > 0) throw new HttpProblem(409, `Target ${target.metadata.name} is used by ${nameList(usedBy)}`);
}

function sameTarget(a: Target, b: Target): boolean {
  const fields = (t: Target) => stableStringify([t.spec, t.metadata.labels ?? {}, t.metadata.annotations ?? {}]);
  return fields(a) === fields(b);
}

function nameList(names: readonly string[]): string {
  return `${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
}
