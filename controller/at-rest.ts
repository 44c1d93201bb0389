import type { StoredEnvironment } from '../specs/store/types.ts';

/** What an environment's passes read: its own item (spec, status, annotations) and its Target's. */
export const restingVersion = (env: StoredEnvironment, targetVersion: string | undefined) => `${env.metadata.resourceVersion}/${env.spec.target}@${targetVersion ?? '-'}`;

/**
 * Environments whose last pass found nothing to do (no terraform, no write, no event), with the versions that pass
 * read and when its next timer is due (drift check, verification). A resync skips them while both versions hold
 * and the timer is not due: nothing a pass reads has changed, so it would decide the same. Anything written to the
 * environment or its Target (a spec, a status from another replica, an approval, "reconcile now") changes a version.
 * One small entry per environment; names no longer listed are dropped.
 */
export class AtRest {
  private readonly entries = new Map<string, { version: string; until: number }>();

  remember(name: string, version: string, until: number): void {
    this.entries.set(name, { version, until });
  }

  forget(name: string): void {
    this.entries.delete(name);
  }

  /** True while the environment is as its last (idle) pass left it and no timer of it is due. */
  holds(name: string, version: string, now: number): boolean {
    const entry = this.entries.get(name);
    if (!entry) return false;
    if (entry.version === version && now < entry.until) return true;
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
