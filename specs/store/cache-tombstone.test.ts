import { expect, it } from 'vitest';
import { environment } from '../../test/support/store.ts';
import { StoreCache } from './cache.ts';

// A write's read-back can be processed after this process removed the document (the read-back read it just
// before the delete; its reply came in after the delete's): it must not bring the removed document back into
// the cache (a ghost served by GET, list and watches, and probed by the controller, until a poll: 30 s embedded).
// A document created again under the name (a new uid) is not a ghost.
const stored = (uid: string, rv: number) => {
  const env = environment('ghost-env');
  return { ...env, metadata: { ...env.metadata, uid, generation: 1, resourceVersion: String(rv) }, status: { conditions: [], tiers: {} } };
};

it('a late read-back of a removed document is not cached again; a new one under its name is', () => {
  const cache = new StoreCache();
  const heard: string[] = [];
  cache.subscribe((_kind, name) => heard.push(name));
  cache.putDocument(stored('uid-1', 1));
  cache.dropDocument('Environment', 'ghost-env');
  heard.length = 0;
  cache.putDocument(stored('uid-1', 2)); // the annotation write's read-back, processed after the remove
  cache.putDocument(stored('uid-1', 2), { statusWritten: true });
  expect(cache.get('Environment', 'ghost-env')).toBeUndefined();
  expect(cache.names('Environment')).toEqual([]);
  expect(heard).toEqual([]);

  cache.putDocument(stored('uid-2', 1)); // created again
  expect(cache.get('Environment', 'ghost-env')?.metadata.uid).toBe('uid-2');
  expect(cache.names('Environment')).toEqual(['ghost-env']);
  expect(heard).toEqual(['ghost-env']);
});

it('an environment without a status item reads one shared frozen empty status (its list text is remembered)', () => {
  const cache = new StoreCache();
  const { status: _none, ...spec } = stored('uid-3', 1);
  cache.putDocument(spec);
  const first = cache.get('Environment', 'ghost-env')!;
  expect(first.status).toEqual({ conditions: [], tiers: {} });
  expect(Object.isFrozen(first.status)).toBe(true);
  expect(cache.get('Environment', 'ghost-env')!.status).toBe(first.status);
});
