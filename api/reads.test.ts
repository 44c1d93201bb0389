import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedStore } from '../specs/store/cached-store.ts';
import { envBody, startApi, type TestApi } from '../test/support/api.ts';
import { openReplicas } from '../test/support/replicas.ts';

// The API reads through the read cache, whose polls run here only at sync() and whose clock is a variable.
// `replicas.elsewhere` is another replica over the same table: the cache does not see its writes until it polls.
const clock = { now: 1_000_000 };
let api: TestApi;
let cached: CachedStore;
let replicas: Awaited<ReturnType<typeof openReplicas>>;
beforeAll(async () => {
  replicas = await openReplicas();
  cached = CachedStore.over(replicas.here, { pollMs: 1000, now: () => clock.now });
  api = await startApi({ store: cached });
  await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: envBody('chat-dev') });
  await cached.sync();
});
afterAll(async () => {
  await api.close();
  await replicas.close();
});

const elsewhere = (cidr: string) => replicas.elsewhere.update({ ...envBody('chat-dev', { network: { cidr } }), kind: 'Environment' } as never);

describe('reads through the cache', () => {
  it('GETs answer from the cache with X-Terrace-Cache-Age; ?fresh=true answers from the store', async () => {
    clock.now += 250;
    const before = await api.call({ method: 'GET', url: '/v1/environments/chat-dev' });
    expect(before.headers['x-terrace-cache-age']).toBe('250');
    const written = await elsewhere('10.1.0.0/16');

    for (const url of ['/v1/environments/chat-dev', '/v1/environments', '/v1/environments/chat-dev/status']) {
      const stale = await api.call({ method: 'GET', url });
      expect(stale.headers['x-terrace-cache-age'], url).toBe('250');
      const fresh = await api.call({ method: 'GET', url: `${url}?fresh=true` });
      expect(fresh.headers['x-terrace-cache-age'], url).toBeUndefined();
      if (url === '/v1/environments/chat-dev') {
        expect(stale.json().metadata.resourceVersion).toBe(before.json().metadata.resourceVersion);
        expect(fresh.json().metadata.resourceVersion).toBe(written.metadata.resourceVersion);
        expect(fresh.headers.etag).toBe(`"${written.metadata.resourceVersion}"`);
      }
      if (url === '/v1/environments') expect(fresh.json().items[0].spec.network.cidr).toBe('10.1.0.0/16');
      if (url === '/v1/environments/chat-dev/status') expect(fresh.json().generation).toBe(written.metadata.generation);
    }
    expect((await api.call({ method: 'GET', url: '/v1/targets/local?fresh=true' })).headers['x-terrace-cache-age']).toBeUndefined();
    expect((await api.call({ method: 'GET', url: '/v1/targets/local' })).headers['x-terrace-cache-age']).toBe('250');

    await cached.sync(); // one poll: caught up
    clock.now += 10;
    const after = await api.call({ method: 'GET', url: '/v1/environments/chat-dev' });
    expect(after.json().metadata.resourceVersion).toBe(written.metadata.resourceVersion);
    expect(after.headers['x-terrace-cache-age']).toBe('10');
  });

  it('If-Match is checked against the store, not the cache (a stale copy is neither a 412 nor a lost update)', async () => {
    await cached.sync();
    const written = await elsewhere('10.2.0.0/16'); // the cache still holds the version before this one
    const cachedRv = (await api.call({ method: 'GET', url: '/v1/environments/chat-dev' })).json().metadata.resourceVersion;
    expect(cachedRv).not.toBe(written.metadata.resourceVersion);

    const stale = await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', headers: { 'if-match': `"${cachedRv}"` }, payload: envBody('chat-dev', { network: { cidr: '10.3.0.0/16' } }) });
    expect(stale.statusCode).toBe(412);
    const current = await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', headers: { 'if-match': `"${written.metadata.resourceVersion}"` }, payload: envBody('chat-dev', { network: { cidr: '10.3.0.0/16' } }) });
    expect(current.statusCode).toBe(200);
    // The API's own write is in the cache at once (write-through), with no poll.
    const read = await api.call({ method: 'GET', url: '/v1/environments/chat-dev' });
    expect(read.json().spec.network.cidr).toBe('10.3.0.0/16');
    expect(read.headers['x-terrace-cache-age']).toBeDefined();
  });

  it('a token revoked elsewhere stops working after one poll; revoked here, at once', async () => {
    await cached.sync();
    const reader = await api.as('read');
    const list = () => api.app.inject({ method: 'GET', url: '/v1/environments', headers: reader });
    expect((await list()).statusCode).toBe(200);
    const [stored] = (await api.store.listTokens()).filter((t) => t.name.startsWith('test-'));
    await replicas.elsewhere.deleteToken(stored.hash);
    expect((await list()).statusCode).toBe(200); // within the bound: the cache has not polled yet
    await cached.sync();
    expect((await list()).statusCode).toBe(401);

    const other = await api.as('read');
    expect((await api.app.inject({ method: 'GET', url: '/v1/environments', headers: other })).statusCode).toBe(200);
    const id = (await api.call({ method: 'GET', url: '/v1/tokens' })).json().items.find((t: { name: string }) => t.name === 'test-2').id;
    expect((await api.call({ method: 'DELETE', url: `/v1/tokens/${id}` })).statusCode).toBeLessThan(300);
    expect((await api.app.inject({ method: 'GET', url: '/v1/environments', headers: other })).statusCode).toBe(401);
  });

  it('past the bound with no poll, reads go to the store (and say nothing of a cache age)', async () => {
    await cached.sync();
    const written = await elsewhere('10.4.0.0/16');
    clock.now += 3001;
    const read = await api.call({ method: 'GET', url: '/v1/environments/chat-dev' });
    expect(read.headers['x-terrace-cache-age']).toBeUndefined();
    expect(read.json().metadata.resourceVersion).toBe(written.metadata.resourceVersion);
  });
});
