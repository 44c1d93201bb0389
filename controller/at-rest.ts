import { stableStringify } from '../specs/store/stable-json.ts';
import type { StoredEnvironment } from '../specs/store/types.ts';
import { sha256 } from './workdirs.ts';

/**
 * What an environment's passes read: its spec item (spec, labels, annotations: its resourceVersion), its status
 * (kept apart, with a version of its own that documents do not carry: so its content) and its Target's version.
 */
export const restingVersion = (env: StoredEnvironment, targetVersion: string | undefined, statusHash = sha256(stableStringify(env.status))) =>
  `${env.metadata.resourceVersion}/${env.spec.target}@${targetVersion ?? '-'}/${statusHash}`;

/**
 * Environments whose last pass found nothing to do (no terraform, no write, no event), with the versions that pass
 * read and when its next timer is due (drift check, verification). A resync skips them while both versions hold
 * and the timer is not due: nothing a pass reads has changed, so it would decide the same. Anything written to the
 * environment or its Target (a spec, a status from another replica, an approval, "reconcile now") changes a version.
 * One small entry per environment; names no longer listed are dropped.
 */
export class AtRest {
  private readonly entries = new Map<string, { version: string; until: number; seen?: { status: object; hash: string } }>();

  remember(name: string, version: string, until: number): void {
    this.entries.set(name, { version, until });
  }

  forget(name: string): void {
    this.entries.delete(name);
  }

  /**
   * True while the environment is as its last (idle) pass left it and no timer of it is due. A read cache hands
   * out the same (frozen) status until it changes: then its hash is not computed again.
   */
  holds(env: StoredEnvironment, targetVersion: string | undefined, now: number): boolean {
    const name = env.metadata.name;
    const entry = this.entries.get(name);
    if (!entry) return false;
    const same = entry.seen?.status === env.status && Object.isFrozen(env.status);
    const hash = same ? entry.seen!.hash : sha256(stableStringify(env.status));
    if (entry.version === restingVersion(env, targetVersion, hash) && now < entry.until) {
      // Only a frozen (cached, shared) status is remembered: a copy would be memory per environment for nothing.
      entry.seen = Object.isFrozen(env.status) ? { status: env.status, hash } : undefined;
      return true;
    }
    this.entries.delete(name);
    return false;
  }

  /** Drops entries of environments a complete listing no longer has. */
  keepOnly(names: Set<string>): void {
    for (const name of this.entries.keys()) if (!names.has(name)) this.entries.delete(name);
  }

  get size(): number {
    return this.entries.size;
  }
}
