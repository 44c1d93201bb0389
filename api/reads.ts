import type { FastifyReply } from 'fastify';
import { CachedStore, freshOf } from '../specs/store/cached-store.ts';
import type { Store } from '../specs/store/types.ts';

/** Response header on reads answered from the read cache: how old its data may be (ms, since its last poll began). */
export const CACHE_AGE_HEADER = 'x-terrace-cache-age';

/**
 * The store a GET reads from: the read cache, or the store itself with `?fresh=true`. An answer from the cache
 * says how stale it may be in `X-Terrace-Cache-Age`; an answer from the store has no such header.
 */
export function readStore(store: Store, query: { fresh?: boolean } | undefined, reply: FastifyReply): Store {
  if (query?.fresh || !(store instanceof CachedStore)) return freshOf(store);
  const age = store.age();
  if (age !== undefined) reply.header(CACHE_AGE_HEADER, String(age));
  return store; // with no age the cache itself reads from the store
}
