import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environment } from '../../test/support/store.ts';
import { localTarget } from '../target.ts';
import type { CacheSource } from './cache-source.ts';
import { StoreCache } from './cache.ts';
import { CachedStore } from './cached-store.ts';
import { DynamoStore } from './dynamo-store.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from './embedded.ts';
import { ensureTable } from './table.ts';
import { ConflictError, type StoredToken } from './types.ts';

// Two replicas (two DynamoStores, each with its own cache) over one dynalite table. Polls run only when a
// test calls sync(), and time is a variable: no timers, no sleeps.
let dynamo: EmbeddedDynamo;
let n = 0;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(async () => dynamo.stop());

const token = (hash: string, name = 'ci'): StoredToken => ({ hash, name, scopes: ['read'], createdAt: '2026-01-01T00:00:00.000Z' });
const status = (message: string) => ({ conditions: [{ type: 'Ready', status: 'False' as const, reason: 'Progressing', message, lastTransitionTime: '2026-01-01T00:00:00.000Z', observedGeneration: 1 }], tiers: {} });

/** Counts the cache source's calls (what the cache costs the store); `hold` stops a poll between listing and applying. */
function counted(source: CacheSource) {
  const calls = { versions: 0, fetch: 0, listed: 0 };
  let gate: Promise<void> | undefined;
  return {
    calls,
    hold: () => {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => ((gate = undefined), release());
    },
    source: {
      versions: async () => {
        calls.versions++;
        const listed = await source.versions();
        calls.listed++;
        await gate;
        return listed;
      },
      fetch: (specs, statuses) => (calls.fetch++, source.fetch(specs, statuses)),
      onWrite: source.onWrite,
    } as CacheSource,
  };
}

async function replicas() {
  const table = `cache-${++n}`;
  const client = () => new DynamoDBClient({ region: 'local', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const admin = client();
  await ensureTable(admin, table);
  admin.destroy();
  const clock = { now: 1_000_000 };
  const open = () => {
    const store = new DynamoStore({ client: client(), table });
    const { source, calls, hold } = counted(store.cacheSource());
    return { cached: new CachedStore(store, source, { pollMs: 1000, now: () => clock.now }), calls, hold, store };
  };
  const a = open();
  const b = open();
  return { a, b, clock, close: () => Promise.all([a.cached.close(), b.cached.close()]) };
}

describe('StoreCache', () => {
  it('an older read-back of a document never replaces a newer one (a recreated document does)', () => {
    const cache = new StoreCache();
    const doc = (uid: string, rv: number, cidr: string) => ({ ...environment('chat-dev', { network: { cidr } }), metadata: { name: 'chat-dev', uid, resourceVersion: String(rv), generation: rv }, status: status('x') });
    cache.putDocument(doc('u1', 3, '10.3.0.0/16'));
    cache.putDocument(doc('u1', 2, '10.2.0.0/16'));
    expect(cache.get('Environment', 'chat-dev')?.spec.network?.cidr).toBe('10.3.0.0/16');
    cache.putDocument(doc('u2', 1, '10.9.0.0/16')); // removed and created again: a new uid starts at 1
    expect(cache.get('Environment', 'chat-dev')?.spec.network?.cidr).toBe('10.9.0.0/16');
  });
});

describe('CachedStore', () => {
  it('reads go to the store before the first poll; afterwards from memory, with no store call', async () => {
    const { a, close } = await replicas();
    try {
      await a.store.create(environment('chat-dev'));
      expect(a.cached.age()).toBeUndefined();
      expect((await a.cached.get('Environment', 'chat-dev'))?.metadata.name).toBe('chat-dev'); // from the store
      await a.cached.sync();
      const reads = { ...a.calls };
      let storeGets = 0;
      const get = a.store.get.bind(a.store);
      a.store.get = ((...args: Parameters<typeof get>) => (storeGets++, get(...args))) as typeof get;
      expect((await a.cached.get('Environment', 'chat-dev'))?.metadata.name).toBe('chat-dev');
      expect((await a.cached.list('Environment')).items.map((e) => e.metadata.name)).toEqual(['chat-dev']);
      expect(storeGets).toBe(0);
      expect(a.calls).toEqual(reads);
    } finally {
      await close();
    }
  });

  it("a write leaves the caller's document its own: the cache freezes its copy, not what was passed in", async () => {
    const { a, close } = await replicas();
    try {
      await a.cached.sync();
      for (const write of [(d: any) => a.cached.create(d), (d: any) => a.cached.update(d)]) {
        const doc = environment('own-doc', { network: { cidr: '10.3.0.0/16' } }) as any;
        await write(doc);
        expect(Object.isFrozen(doc.spec) || Object.isFrozen(doc.spec.network)).toBe(false);
        doc.spec.network.cidr = '10.4.0.0/16'; // the caller may go on changing it
        expect((await a.cached.get('Environment', 'own-doc'))?.spec.network?.cidr).toBe('10.3.0.0/16');
      }
    } finally {
      await close();
    }
  });

  it('write-through: the cache holds what this process wrote at once, before any poll', async () => {
    const { a, close } = await replicas();
    try {
      await a.cached.sync();
      const created = await a.cached.create(environment('chat-dev'));
      expect(await a.cached.get('Environment', 'chat-dev')).toEqual(created);
      const saved = await a.cached.updateStatus('chat-dev', status('first'));
      expect((await a.cached.get('Environment', 'chat-dev'))?.status).toEqual(saved.status);
      const updated = await a.cached.update(environment('chat-dev', { network: { cidr: '10.1.0.0/16' } }), { expectedResourceVersion: '1' });
      expect((await a.cached.get('Environment', 'chat-dev'))?.metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
      expect((await a.cached.get('Environment', 'chat-dev'))?.status.conditions[0].message).toBe('first');
      // Writes stay compare-and-sets against the store: a stale version is refused with the current document.
      const err = await a.cached.update(environment('chat-dev', { network: { cidr: '10.2.0.0/16' } }), { expectedResourceVersion: '1' }).catch((e) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).current).toMatchObject({ metadata: { resourceVersion: '2' } });
    } finally {
      await close();
    }
  });

  it('writes through the store object itself (a controller holding the plain store) are in its cache at once', async () => {
    const { a, close } = await replicas();
    try {
      await a.cached.sync();
      await a.store.create(environment('chat-dev'));
      await a.store.updateStatus('chat-dev', status('by the controller'));
      expect((await a.cached.get('Environment', 'chat-dev'))?.status.conditions[0].message).toBe('by the controller');
      await a.store.putToken(token('dd'.repeat(32)));
      expect(await a.cached.getToken('dd'.repeat(32))).toMatchObject({ name: 'ci' });
      await a.store.deleteToken('dd'.repeat(32));
      await a.store.remove('Environment', 'chat-dev');
      expect(await a.cached.getToken('dd'.repeat(32))).toBeUndefined();
      expect(await a.cached.get('Environment', 'chat-dev')).toBeUndefined();
      expect(a.calls.fetch).toBe(0); // no poll was needed
    } finally {
      await close();
    }
  });

  it('another replica sees a write after at most one poll, and only polls fetch it', async () => {
    const { a, b, close } = await replicas();
    try {
      await Promise.all([a.cached.sync(), b.cached.sync()]);
      await a.cached.create(environment('chat-dev'));
      await a.cached.updateStatus('chat-dev', status('applied'));
      expect(await b.cached.get('Environment', 'chat-dev')).toBeUndefined(); // stale until b polls: bounded, not fresh
      expect((await b.cached.fresh.get('Environment', 'chat-dev'))?.status.conditions[0].message).toBe('applied');
      await b.cached.sync();
      expect((await b.cached.get('Environment', 'chat-dev'))?.status.conditions[0].message).toBe('applied');
      // An unchanged table: the next poll lists versions and fetches nothing.
      const fetched = b.cached.stats.fetched;
      await b.cached.sync();
      expect(b.cached.stats.fetched).toBe(fetched);
    } finally {
      await close();
    }
  });

  it('deleted documents vanish: at once where removed, after one poll elsewhere', async () => {
    const { a, b, close } = await replicas();
    try {
      await a.cached.create(environment('chat-dev'));
      await a.cached.create({ ...localTarget(), metadata: { name: 'spare' } });
      await Promise.all([a.cached.sync(), b.cached.sync()]);
      expect(await b.cached.get('Environment', 'chat-dev')).toBeDefined();
      await a.cached.remove('Environment', 'chat-dev');
      await a.cached.remove('Target', 'spare');
      expect(await a.cached.get('Environment', 'chat-dev')).toBeUndefined();
      expect((await a.cached.list('Environment')).items).toEqual([]);
      expect(await b.cached.get('Target', 'spare')).toBeDefined();
      await b.cached.sync();
      expect(await b.cached.get('Environment', 'chat-dev')).toBeUndefined();
      expect(await b.cached.get('Target', 'spare')).toBeUndefined();
      expect((await b.cached.list('Environment')).items).toEqual([]);
    } finally {
      await close();
    }
  });

  it('a poll that started before a write does not undo it (a revoked token stays revoked)', async () => {
    const { a, close } = await replicas();
    try {
      await a.cached.putToken(token('aa'.repeat(32)));
      await a.cached.sync();
      // The poll lists the table (the token still there), then this process deletes the token, then the poll applies.
      const listed = a.calls.listed;
      const release = a.hold();
      const polled = a.cached.sync();
      while (a.calls.listed === listed) await new Promise((resolve) => setImmediate(resolve));
      await a.cached.deleteToken('aa'.repeat(32));
      release();
      await polled;
      expect(await a.cached.getToken('aa'.repeat(32))).toBeUndefined();
      await a.cached.sync();
      expect(await a.cached.getToken('aa'.repeat(32))).toBeUndefined();
    } finally {
      await close();
    }
  });

  it('token revocation elsewhere takes effect after one poll', async () => {
    const { a, b, close } = await replicas();
    try {
      await a.cached.putToken(token('bb'.repeat(32)));
      await b.cached.sync();
      expect(await b.cached.getToken('bb'.repeat(32))).toMatchObject({ name: 'ci' });
      await a.cached.deleteToken('bb'.repeat(32));
      await b.cached.sync();
      expect(await b.cached.getToken('bb'.repeat(32))).toBeUndefined();
    } finally {
      await close();
    }
  });

  it('past maxStaleMs without a successful poll, reads go to the store', async () => {
    const { a, b, clock, close } = await replicas();
    try {
      await b.cached.sync();
      await a.cached.putToken(token('cc'.repeat(32)));
      expect(await b.cached.getToken('cc'.repeat(32))).toBeUndefined();
      expect(b.cached.age()).toBe(0);
      clock.now += 3000;
      expect(b.cached.age()).toBe(3000);
      clock.now += 1;
      expect(b.cached.age()).toBeUndefined();
      expect(await b.cached.getToken('cc'.repeat(32))).toMatchObject({ name: 'ci' });
    } finally {
      await close();
    }
  });

  it('lists page like the store: same order, limit, selector and continue tokens', async () => {
    const { a, close } = await replicas();
    try {
      for (let i = 0; i < 7; i++) await a.store.create(environment(`env-${i}`, {}, { app: i % 2 ? 'odd' : 'even' }));
      await a.cached.sync();
      for (const options of [{ limit: 3 }, { limit: 2, labelSelector: 'app=even' }, { limit: 100 }]) {
        let token: string | undefined;
        do {
          const [cached, stored] = await Promise.all([a.cached.list('Environment', { ...options, continue: token }), a.store.list('Environment', { ...options, continue: token })]);
          expect(cached).toEqual(stored);
          token = stored.continue;
        } while (token);
      }
      await expect(a.cached.list('Environment', { continue: 'bogus!' })).rejects.toThrow(/continue/);
    } finally {
      await close();
    }
  });

  it('documents read from the cache cannot be changed in place', async () => {
    const { a, close } = await replicas();
    try {
      await a.cached.create(environment('chat-dev'));
      await a.cached.sync();
      const env = (await a.cached.get('Environment', 'chat-dev'))!;
      expect(() => {
        env.spec.target = 'elsewhere';
      }).toThrow(TypeError);
    } finally {
      await close();
    }
  });

  it('tells listeners once per change, from writes and from polls', async () => {
    const { a, b, close } = await replicas();
    try {
      await Promise.all([a.cached.sync(), b.cached.sync()]);
      const heard: string[] = [];
      b.cached.subscribe((kind, name) => heard.push(`${kind}/${name}`));
      await b.cached.create(environment('one'));
      await a.cached.create(environment('two'));
      await b.cached.sync();
      await b.cached.sync(); // nothing changed: nothing heard
      expect(heard).toEqual(['Environment/one', 'Environment/two']);
    } finally {
      await close();
    }
  });
});
