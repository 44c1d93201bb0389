import { get, type IncomingMessage } from 'node:http';
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

/** Counts store.get calls: the watch polls with it, and nothing else runs while a test waits. */
function counting(store: Store) {
  const counter = { gets: 0 };
  const get = store.get.bind(store);
  store.get = ((kind: 'Environment', name: string) => {
    counter.gets++;
    return get(kind, name);
  }) as Store['get'];
  return counter;
}

async function listen(withStore?: Store) {
  api = await startApi({ watchPollMs: POLL_MS, ...(withStore ? { store: withStore } : {}) });
  await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: envBody('chat-dev') });
  const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
  return address;
}

async function open(address: string, name = 'chat-dev') {
  const res = await fetch(`${address}/v1/environments/${name}/watch`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { res };
}

describe('GET /v1/environments/{name}/watch', () => {
  it('sends the status at once, then exactly one event per change', async () => {
    const address = await listen();
    const { res } = await open(address);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const events = sseReader(res.body!);

    const first = await events.next();
    expect(first).toMatchObject({ event: 'status' });
    expect(JSON.parse((first as { data: string }).data)).toEqual({ generation: 1, conditions: [], tiers: {} });
    expect(await events.next(POLL_MS * 4)).toBe('timeout'); // no change, no event

    await api.store.updateStatus('chat-dev', status('False'));
    const second = await events.next();
    expect(second).toMatchObject({ event: 'status' });
    expect(JSON.parse((second as { data: string }).data)).toMatchObject({ observedGeneration: 1, conditions: [condition('False')] });
    expect(await events.next(POLL_MS * 5)).toBe('timeout'); // exactly one

    await api.store.updateStatus('chat-dev', status('False')); // same content: a write, not a change
    expect(await events.next(POLL_MS * 5)).toBe('timeout');
    await api.store.updateStatus('chat-dev', status('True'));
    expect(JSON.parse(((await events.next()) as { data: string }).data).conditions[0].status).toBe('True');
  });

  it('sends `deleted` and closes when the environment is gone', async () => {
    const address = await listen();
    const { res } = await open(address);
    const events = sseReader(res.body!);
    expect(await events.next()).toMatchObject({ event: 'status' });
    await api.store.remove('Environment', 'chat-dev');
    expect(await events.next()).toMatchObject({ event: 'deleted' });
    expect(await events.next()).toBe('end');
  });

  it('stops polling when the client disconnects', async () => {
    const store = await openTestStore();
    const counter = counting(store);
    const address = await listen(store);
    // node:http rather than fetch here: fetch's pool opens a spare connection after an abort,
    // which would keep app.close() waiting for its keep-alive timeout.
    const req = get(`${address}/v1/environments/chat-dev/watch`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const res = await new Promise<IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject));
    const first = await new Promise<string>((resolve) => res.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    expect(first).toMatch(/^event: status\n/);
    await new Promise((r) => setTimeout(r, POLL_MS * 3));
    expect(counter.gets).toBeGreaterThan(1); // it does poll while open

    req.destroy();
    await new Promise((r) => setTimeout(r, POLL_MS * 3)); // let the server see the close
    const after = counter.gets;
    await new Promise((r) => setTimeout(r, POLL_MS * 6));
    expect(counter.gets).toBe(after);
  });

  it('does not hold up app.close(): open streams are ended', async () => {
    const address = await listen();
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
    const address = await listen();
    const missing = await fetch(`${address}/v1/environments/nope-env/watch`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const anonymous = await fetch(`${address}/v1/environments/chat-dev/watch`);
    expect(anonymous.status).toBe(401);
  });
});
