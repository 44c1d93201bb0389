import type { Logger } from 'pino';
import { EXPIRES_AT_ANNOTATION, previewExpiry } from '../specs/preview.ts';
import { ConflictError, type Store, type StoredEnvironment } from '../specs/store/types.ts';
import type { Clock } from './clock.ts';

// A preview's expiry (terrace.dev/expires-at) is enforced here, on each resync: an expired preview is marked
// deleted exactly as DELETE /environments/{name} marks it, and the pass tears its tiers down in reverse order
// like any deletion. The mark is a compare-and-set on what the resync read, so an extension that lands first
// wins (the next resync decides again), and of several replicas only one marks it and writes the event.

export const PREVIEW_EXPIRED_ACTION = 'preview-expired';

/** The previews among `envs` that expired by `now` and are not being deleted yet. */
export function expiredPreviews(envs: readonly StoredEnvironment[], now: number): StoredEnvironment[] {
  return envs.filter((env) => {
    const at = previewExpiry(env);
    return at !== undefined && at.getTime() <= now && !env.metadata.deletionTimestamp;
  });
}

/**
 * Marks each expired preview deleted, with an event naming its expiry; answers the names marked, for the caller to
 * reconcile now. A store failure on one is logged and left to the next resync.
 */
export async function expirePreviews(envs: readonly StoredEnvironment[], deps: { store: Store; clock: Clock; log: Logger }): Promise<string[]> {
  const { store, clock, log } = deps;
  const marked: string[] = [];
  for (const env of expiredPreviews(envs, clock.now())) {
    const name = env.metadata.name;
    const expiredAt = env.metadata.annotations![EXPIRES_AT_ANNOTATION];
    try {
      await store.markDeleted('Environment', name, { expectedResourceVersion: env.metadata.resourceVersion });
    } catch (err) {
      if (!(err instanceof ConflictError)) log.warn({ environment: name, err }, `${name}: could not delete the expired preview (the store failed); trying at the next resync`);
      continue;
    }
    marked.push(name);
    log.info({ environment: name, expiredAt }, `${name}: preview expired at ${expiredAt}: deleting it`);
    // The pass writes every other event; this one has no pass behind it, and the deletion it explains follows.
    await store.appendEvent(name, {
      time: new Date(clock.now()).toISOString(), action: PREVIEW_EXPIRED_ACTION, outcome: 'Info',
      message: `preview expired at ${expiredAt} (${EXPIRES_AT_ANNOTATION}): deleting it, its tiers destroyed in reverse order`,
    }).catch((err) => log.warn({ environment: name, err }, `${name}: could not record the preview-expired event`));
  }
  return marked;
}
