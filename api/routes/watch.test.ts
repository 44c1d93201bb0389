import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../specs/store/types.ts';
import type { EnvironmentStatus } from '../../specs/status.ts';
import { ADMIN_TOKEN, envBody, startApi, type TestApi } from '../../test/support/api.ts';
import { sseReader } from '../../test/support/sse.ts';
import { openTestStore } from '../../test/support/store.ts';

let api: TestApi;
let closed = false;
afterEach(async () => {
  if (!closed) await api?.close();
  closed = false;
});

const POLL_MS = 40;
const condition = (status: 'True' | 'False') => ({ type: 'Ready', status, reason: status === 'True' ? 'Succeeded' : 'Progressing', message: '', lastTransitionTime: '2026-01-01T00:00:00.000Z', observedGeneration: 1 });
const status = (s: 'True' | 'False'): EnvironmentStatus => ({ observedGeneration: 1, conditions: [condition(s)], tiers: {} });

/**
 * Counts store.get calls per name and lets a test wait for the next few: each watch poll is one read, so
 * "n more reads" is "n more polls" (the next poll starts only after the last one finished and wrote).
 */
function countReads(store: Store) {
  const counts = new Map<string, number>();
  const waiters = new Set<{ name: string; at: number; resolve: () => void }>();
  const get = store.get.bind(store);
  store.get = ((kind: 'Environment', name: string) => {
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    for (const w of waiters) if (w.name === name && n >= w.at) (waiters.delete(w), w.resolve());
    return get(kind, name);
  }) as Store['get'];
  const count = (name: string) => counts.get(name) ?? 0;
  const more = (name: string, n: number) => new Promise<void>((resolve) => waiters.add({ name, at: count(name) + n, resolve }));
  return { count, more };
}

async function listen(names = ['chat-dev']) {
  const store = await openTestStore();
  const reads = countReads(store);
  api = await startApi({ watchPollMs: POLL_MS, store });
  for (const name of names) await api.call({ method: 'PUT', url: `/v1/environments/${name}`, payload: envBody(name) });
  const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
  return { address, reads };
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
  return { res };
}

describe('GET /v1/environments/{name}/watch', () => {
  it('sends the status at once, then exactly one event per change', async () => {
    const { address, reads } = await listen();
    const { res } = await open(address);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const events = sseReader(res.body!);

    const first = await events.next();
    expect(first).toMatchObject({ event: 'status' });
    expect(JSON.parse((first as { data: string }).data)).toEqual({ generation: 1, conditions: [], tiers: {} });
    // Each wait below lets at least one whole poll run on an unchanged value: an event it sent by mistake
    // would come before the next real change's, so "the next event is that change" proves there was none.
    await reads.more('chat-dev', 2); // no change, no event

    await api.store.updateStatus('chat-dev', status('False'));
    const second = await events.next();
    expect(second).toMatchObject({ event: 'status' });
    expect(JSON.parse((second as { data: string }).data)).toMatchObject({ observedGeneration: 1, conditions: [condition('False')] });
    await reads.more('chat-dev', 2); // exactly one

    await api.store.updateStatus('chat-dev', status('False')); // same content: a write, not a change
    await reads.more('chat-dev', 2);
    await api.store.updateStatus('chat-dev', status('True'));
    const third = await events.next();
    expect(third).toMatchObject({ event: 'status' });
    expect(JSON.parse((third as { data: string }).data).conditions[0].status).toBe('True');
  });

  it('sends `deleted` and closes when the environment is gone', async () => {
    const { address } = await listen();
    const { res } = await open(address);
    const events = sseReader(res.body!);
    expect(await events.next()).toMatchObject({ event: 'status' });
    await api.store.remove('Environment', 'chat-dev');
    expect(await events.next()).toMatchObject({ event: 'deleted' });
    expect(await events.next()).toBe('end');
  });

  it('stops polling when the client disconnects', async () => {
    const { address, reads } = await listen(['chat-dev', 'chat-other']);
    const gone = await openRaw(address, 'chat-dev');
    const kept = await openRaw(address, 'chat-other');
    expect(gone.first).toMatch(/^event: status\n/);
    expect(kept.first).toMatch(/^event: status\n/);
    await reads.more('chat-dev', 2); // it does poll while open

    const seen = once(gone.serverSocket, 'close');
    gone.req.destroy();
    await seen; // the server saw the client go (its response's 'close' ran with the socket's)
    const after = reads.count('chat-dev');
    // Three polls of the stream still open span two poll periods: the dropped one would have polled in them.
    await reads.more('chat-other', 3);
    expect(reads.count('chat-dev')).toBe(after);
    kept.req.destroy();
  });

  it('does not hold up app.close(): open streams are ended', async () => {
    const { address } = await listen();
    const { res } = await open(address);
    const events = sseReader(res.body!);
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
