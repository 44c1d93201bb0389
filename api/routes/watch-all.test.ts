import { afterEach, describe, expect, it } from 'vitest';
import { CachedStore } from '../../specs/store/cached-store.ts';
import type { DynamoStore } from '../../specs/store/dynamo-store.ts';
import { ADMIN_TOKEN, envBody, startApi, type TestApi } from '../../test/support/api.ts';
import { openReplicas } from '../../test/support/replicas.ts';
import { sseReader } from '../../test/support/sse.ts';

let api: TestApi | undefined;
let replicas: Awaited<ReturnType<typeof openReplicas>> | undefined;
afterEach(async () => {
  await api?.close();
  await replicas?.close().catch(() => undefined);
  api = replicas = undefined;
});

/** The replica's store, counting the reads that reach it (the read cache's own polls use its cache source). */
function countingReads(store: DynamoStore) {
  const reads = { count: 0 };
  const counted = new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (key === 'get' || key === 'list' || key === 'getToken') {
        return (...args: unknown[]) => {
          reads.count++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { counted, reads };
}

describe('GET /v1/watch on the read cache\'s change notices', () => {
  it('lists once per stream, then reads no store and lists nothing per poll; each change reaches every stream once', async () => {
    replicas = await openReplicas();
    const { counted, reads } = countingReads(replicas.here);
    // Its polls are this test's (sync()); a long staleness bound so that the cache answers throughout.
    const cache = CachedStore.over(counted, { pollMs: 600_000 });
    api = await startApi({ store: cache });
    for (const [name, app] of [['chat-a', 'a'], ['chat-b', 'b'], ['chat-c', 'c']]) {
      expect((await api.call({ method: 'PUT', url: `/v1/environments/${name}`, payload: envBody(name, {}, { labels: { app } }) })).statusCode).toBe(201);
    }
    await cache.sync();
    let lists = 0;
    const list = cache.list.bind(cache);
    cache.list = ((...args: Parameters<typeof list>) => (lists++, list(...args))) as typeof list;
    reads.count = 0;

    const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
    const open = async (query = '') => sseReader((await fetch(`${address}/v1/watch${query}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body!);
    const streams = await Promise.all(Array.from({ length: 5 }, () => open()));
    for (const events of streams) {
      for (let i = 0; i < 3; i++) expect(await events.next()).toMatchObject({ event: 'environment' });
      expect(await events.next()).toMatchObject({ event: 'synced', data: '{"count":3}' });
    }
    const onlyB = await open('?labelSelector=app%3Db');
    expect(JSON.parse(((await onlyB.next()) as { data: string }).data).metadata.name).toBe('chat-b');
    expect(await onlyB.next()).toMatchObject({ event: 'synced', data: '{"count":1}' });
    expect(lists).toBe(6); // the first listing of each stream, one page each
    lists = 0;

    // Written by the other replica: this one hears of it by its cache's poll, the one source of every stream.
    const status = { observedGeneration: 1, conditions: [], tiers: { network: { conditions: [] } } };
    await replicas.elsewhere.updateStatus('chat-b', status);
    await cache.sync();
    for (const events of [...streams, onlyB]) {
      const changed = (await events.next()) as { event: string; data: string };
      expect(changed.event).toBe('environment');
      expect(JSON.parse(changed.data)).toMatchObject({ metadata: { name: 'chat-b' }, status });
    }
    // Polls that find nothing new send nothing; then a relabel: out of the selector is a deletion there.
    await cache.sync();
    await cache.sync();
    const moved = (await replicas.elsewhere.get('Environment', 'chat-b'))!;
    await replicas.elsewhere.update({ ...moved, metadata: { ...moved.metadata, labels: { app: 'x' } } });
    await cache.sync();
    for (const events of streams) {
      // The next event is this one, not chat-b's status again: each change is sent once.
      const relabelled = (await events.next()) as { event: string; data: string };
      expect(JSON.parse(relabelled.data)).toMatchObject({ metadata: { name: 'chat-b', labels: { app: 'x' } } });
    }
    expect(await onlyB.next()).toMatchObject({ event: 'deleted', data: '{"name":"chat-b"}' });

    await replicas.elsewhere.remove('Environment', 'chat-a');
    await cache.sync();
    for (const events of streams) expect(await events.next()).toMatchObject({ event: 'deleted', data: '{"name":"chat-a"}' });
    // Six streams, four polls, three changes: no stream listed again and none read the store.
    expect(lists).toBe(0);
    expect(reads.count).toBe(0);
    await Promise.all([...streams, onlyB].map((events) => events.cancel()));
  });
});
