import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CachedStore } from '../../specs/store/cached-store.ts';
import type { Store } from '../../specs/store/types.ts';
import type { EnvironmentStatus } from '../../specs/status.ts';
import { ADMIN_TOKEN, envBody, startApi, type TestApi } from '../../test/support/api.ts';
import { sseReader } from '../../test/support/sse.ts';
import { openReplicas } from '../../test/support/replicas.ts';

// Watches are fed by the read cache: its polls run here only when a test calls sync(), so "after one poll" is
// exact and nothing waits on time. A write through `elsewhere` is another replica's (over the same table): the
// cache does not see it until it polls; a write through `api.store` is this process's own (in the cache at once).
let api: TestApi;
let closed = false;
let replicas: Awaited<ReturnType<typeof openReplicas>> | undefined;
let elsewhere: Store;
afterEach(async () => {
  if (!closed) await api?.close();
  closed = false;
  await replicas?.close();
  replicas = undefined;
});

const condition = (status: 'True' | 'False', message = '') => ({ type: 'Ready', status, reason: status === 'True' ? 'Succeeded' : 'Progressing', message, lastTransitionTime: '2026-01-01T00:00:00.000Z', observedGeneration: 1 });
const status = (s: 'True' | 'False', message = ''): EnvironmentStatus => ({ observedGeneration: 1, conditions: [condition(s, message)], tiers: {} });

/** Counts reads that reach the store itself (not the cache's polls). */
function countStoreReads(store: Store) {
  const counter = { reads: 0 };
  for (const method of ['get', 'list', 'getToken'] as const) {
    const original = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => (counter.reads++, original(...args));
  }
  return counter;
}

async function listen(names = ['chat-dev'], deps: { watchBufferBytes?: number } = {}) {
  replicas = await openReplicas();
  elsewhere = replicas.elsewhere;
  const cached = CachedStore.over(replicas.here, { pollMs: 1000 }); // not started: polls are the test's
  api = await startApi({ store: cached, ...deps });
  for (const name of names) await api.call({ method: 'PUT', url: `/v1/environments/${name}`, payload: envBody(name) });
  await cached.sync();
  const store = countStoreReads(cached.fresh);
  const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
  return { address, cached, store };
}

/** A watch over node:http, with the server's side of its connection (to know when the server saw it close). */
async function openRaw(address: string, name: string) {
  const accepted = once(api.app.server, 'connection') as Promise<[Socket]>;
  // node:http rather than fetch here: fetch's pool opens a spare connection after an abort,
  // which would keep app.close() waiting for its keep-alive timeout.
  const req = get(`${address}/v1/environments/${name}/watch`, { agent: false, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const [[serverSocket], [res]] = await Promise.all([accepted, once(req, 'response') as Promise<[IncomingMessage]>]);
  const [first] = (await once(res, 'data')) as [Buffer];
  return { req, serverSocket, first: first.toString() };
}

async function open(address: string, name = 'chat-dev') {
  const res = await fetch(`${address}/v1/environments/${name}/watch`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { res, events: sseReader(res.body!) };
}

describe('GET /v1/environments/{name}/watch', () => {
  it('sends the status at once, then exactly one event per change, from polls and from this process', async () => {
    const { address, cached } = await listen();
    const { res, events } = await open(address);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const first = await events.next();
    expect(first).toMatchObject({ event: 'status' });
    expect(JSON.parse((first as { data: string }).data)).toEqual({ generation: 1, conditions: [], tiers: {} });

    await elsewhere.updateStatus('chat-dev', status('False')); // elsewhere: seen at the next poll
    await cached.sync();
    const second = await events.next();
    expect(JSON.parse((second as { data: string }).data)).toMatchObject({ observedGeneration: 1, conditions: [condition('False')] });

    await elsewhere.updateStatus('chat-dev', status('False')); // same content: a write, not a change
    await cached.sync();
    await api.store.updateStatus('chat-dev', status('True')); // this process's write: no poll needed
    const third = await events.next();
    expect(JSON.parse((third as { data: string }).data).conditions[0].status).toBe('True'); // nothing in between
  });

  it('sends `deleted` and closes when the environment is gone', async () => {
    const { address, cached } = await listen();
    const { events } = await open(address);
    expect(await events.next()).toMatchObject({ event: 'status' });
    await elsewhere.remove('Environment', 'chat-dev');
    await cached.sync();
    expect(await events.next()).toMatchObject({ event: 'deleted' });
    expect(await events.next()).toBe('end');
  });

  it('one poller feeds every stream: 40 watchers, one poll, every watcher of the name told, no store read per stream', async () => {
    const { address, cached, store } = await listen(['chat-dev', 'chat-other']);
    const streams = await Promise.all(Array.from({ length: 40 }, (_, i) => open(address, i % 4 ? 'chat-dev' : 'chat-other')));
    for (const s of streams) expect(await s.events.next()).toMatchObject({ event: 'status' });
    expect(cached.cache.listeners).toBe(1); // one subscription, whatever the number of streams

    expect(store.reads).toBe(0); // 40 streams opened and sent their first status from the cache
    const polls = cached.stats.polls;
    await elsewhere.updateStatus('chat-dev', status('True'));
    const reads = store.reads; // the write's own read-back
    await cached.sync();
    const devStreams = streams.filter((_, i) => i % 4);
    for (const s of devStreams) expect(JSON.parse(((await s.events.next()) as { data: string }).data).conditions[0].status).toBe('True');
    // The other name's streams heard nothing: their next event is their own change.
    await api.store.updateStatus('chat-other', status('False', 'other'));
    for (const s of streams.filter((_, i) => !(i % 4))) expect(JSON.parse(((await s.events.next()) as { data: string }).data).conditions[0].message).toBe('other');

    expect(cached.stats.polls - polls).toBe(1);
    expect(store.reads).toBe(reads + 1); // the second write's read-back; the streams read only the cache
    await Promise.all(streams.map((s) => s.events.cancel()));
  });

  it('a stream whose client went is no longer fed: the cache subscription ends with the last stream', async () => {
    const { address, cached } = await listen(['chat-dev', 'chat-other']);
    const gone = await openRaw(address, 'chat-dev');
    const kept = await openRaw(address, 'chat-other');
    expect(gone.first).toMatch(/^event: status\n/);
    expect(kept.first).toMatch(/^event: status\n/);
    expect(cached.cache.listeners).toBe(1);

    let seen = once(gone.serverSocket, 'close');
    gone.req.destroy();
    await seen; // the server saw the client go (its response's 'close' ran with the socket's)
    expect(cached.cache.listeners).toBe(1); // chat-other still watches
    seen = once(kept.serverSocket, 'close');
    kept.req.destroy();
    await seen;
    expect(cached.cache.listeners).toBe(0);
  });

  it('drops a client that stops reading, with `dropped` then the end, instead of buffering without bound', async () => {
    const { address, cached } = await listen(['chat-dev'], { watchBufferBytes: 64 * 1024 });
    const { port } = new URL(address);
    const client = connect(Number(port), '127.0.0.1');
    await once(client, 'connect');
    client.write(`GET /v1/environments/chat-dev/watch HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`);
    client.pause(); // reads nothing more: the kernel's buffers fill, then the server's
    while (cached.cache.listeners === 0) await new Promise((resolve) => setImmediate(resolve)); // the stream is open

    const big = 'x'.repeat(200 * 1024);
    let writes = 0;
    while (cached.cache.listeners > 0 && writes < 50) await api.store.updateStatus('chat-dev', status(writes++ % 2 ? 'True' : 'False', big));
    expect(cached.cache.listeners).toBe(0); // dropped: unsubscribed, no more buffering
    expect(writes).toBeLessThan(50);

    // Reading again, the client gets its backlog, then `dropped` and the response's end (the last chunk).
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (c: string) => (text += c));
    client.resume();
    while (!text.endsWith('0\r\n\r\n')) await once(client, 'data');
    expect(text).toMatch(/event: dropped\ndata: \{"reason":"SlowConsumer","message":"more than 65536 bytes were waiting[^\n]*\n\n\r\n0\r\n\r\n$/);
    client.destroy();
  });

  it('does not hold up app.close(): open streams are ended', async () => {
    const { address } = await listen();
    const { events } = await open(address);
    expect(await events.next()).toMatchObject({ event: 'status' });
    const started = Date.now();
    await api.close();
    closed = true;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await events.next(2000)).toBe('end');
  });

  it('answers 404 and 401 as problems before any stream starts', async () => {
    const { address } = await listen();
    const missing = await fetch(`${address}/v1/environments/nope-env/watch`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const anonymous = await fetch(`${address}/v1/environments/chat-dev/watch`);
    expect(anonymous.status).toBe(401);
  });
});
