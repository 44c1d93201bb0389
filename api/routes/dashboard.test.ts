import { mkdtempSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ADMIN_TOKEN, envBody, startApi, type TestApi } from '../../test/support/api.ts';
import { sseReader } from '../../test/support/sse.ts';
import { openTestStore } from '../../test/support/store.ts';
import { CachedStore } from '../../specs/store/cached-store.ts';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function webRoot(): URL {
  const dir = mkdtempSync(join(tmpdir(), 'terrace-web-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title><script type="module" src="main.js"></script>');
  writeFileSync(join(dir, 'main.js'), 'console.log(1)');
  writeFileSync(join(dir, 'notes.txt'), 'not a served type');
  return pathToFileURL(`${dir}/`);
}

describe('dashboard files', () => {
  it('serves the built page without a token, under a CSP that allows this origin\'s scripts and styles only', async () => {
    api = await startApi({ webRoot: webRoot() });
    const page = await api.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const script = await api.app.inject({ method: 'GET', url: '/main.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    // Only files of a known type, only by their own name: nothing else of the disk is reachable.
    for (const url of ['/notes.txt', '/..%2fpackage.json', '/../package.json', '/%2e%2e/package.json']) {
      expect((await api.app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });

  it('says how to build it when there is no build', async () => {
    api = await startApi({ webRoot: pathToFileURL(join(tmpdir(), 'terrace-no-such-web/')) });
    const res = await api.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
  });
});

describe('GET /v1/whoami', () => {
  it('names the token and its scopes, never the token itself; 401 without one', async () => {
    api = await startApi();
    const operator = await api.as('operate');
    const res = await api.app.inject({ method: 'GET', url: '/v1/whoami', headers: operator });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ name: expect.stringMatching(/^test-/), id: expect.stringMatching(/^[0-9a-f]{12}$/), scopes: ['operate'] });
    expect(res.body).not.toContain(operator.authorization.slice('Bearer '.length));
    expect((await api.call({ method: 'GET', url: '/v1/whoami' })).json()).toMatchObject({ name: 'admin', scopes: ['admin'] });
    expect((await api.app.inject({ method: 'GET', url: '/v1/whoami' })).statusCode).toBe(401);
  });
});

describe('GET /v1/watch', () => {
  it('sends every environment, then synced, then each change once and each removal', async () => {
    api = await startApi();
    for (const name of ['chat-a', 'chat-b']) await api.call({ method: 'PUT', url: `/v1/environments/${name}`, payload: envBody(name, {}, { labels: { app: name } }) });
    const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/v1/watch`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = sseReader(res.body!);
    const names = [];
    for (let i = 0; i < 2; i++) {
      const m = (await events.next()) as { event: string; data: string };
      expect(m.event).toBe('environment');
      names.push(JSON.parse(m.data).metadata.name);
    }
    expect(names.sort()).toEqual(['chat-a', 'chat-b']);
    expect(await events.next()).toMatchObject({ event: 'synced', data: '{"count":2}' });

    await api.store.updateStatus('chat-b', { observedGeneration: 1, conditions: [], tiers: { network: { conditions: [] } } });
    const changed = (await events.next()) as { event: string; data: string };
    expect(changed.event).toBe('environment');
    expect(JSON.parse(changed.data)).toMatchObject({ metadata: { name: 'chat-b' }, status: { tiers: { network: { conditions: [] } } } });

    await api.store.remove('Environment', 'chat-a');
    expect(await events.next()).toMatchObject({ event: 'deleted', data: '{"name":"chat-a"}' });
    await events.cancel();
  });

  it('leaves no timer behind after many clients come and go, also those gone while the first listing was read', async () => {
    api = await startApi();
    const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
    // Each stream holds a keepalive interval (changes come from the cache's notices): it must go with its client.
    // The process's other timers (the read cache's poll, the HTTP client's) come and go: a margin of 3, where a
    // leak would add 1 per stream.
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const idle = timers() + 3;
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    for (let i = 0; i < 10; i++) {
      const events = sseReader((await fetch(`${address}/v1/watch`, { headers })).body!);
      expect(await events.next()).toMatchObject({ event: 'synced' });
      await events.cancel();
    }
    await vi.waitFor(() => expect(timers()).toBeLessThanOrEqual(idle), { timeout: 5000 });

    // Gone before the stream opened: the first listing waits until the server has seen the client leave.
    const list = api.store.list.bind(api.store);
    let hold: ((held: { release: () => void }) => void) | undefined;
    api.store.list = (async (...args: Parameters<typeof list>) => {
      const held = hold;
      hold = undefined;
      if (held) await new Promise<void>((release) => held({ release }));
      return list(...args);
    }) as typeof list;
    for (let i = 0; i < 6; i++) {
      const leaving = new AbortController();
      const listing = new Promise<{ release: () => void }>((resolve) => (hold = resolve));
      const closed = new Promise<void>((resolve) => api!.app.server.once('request', (_request, response) => response.once('close', () => resolve())));
      const answer = fetch(`${address}/v1/watch`, { headers, signal: leaving.signal }).catch((err: Error) => err.name);
      const { release } = await listing;
      leaving.abort();
      expect(await answer).toBe('AbortError');
      await closed;
      release();
    }
    // The handlers resume after their listing; give them the turn they need, then count.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    await vi.waitFor(() => expect(timers()).toBeLessThanOrEqual(idle), { timeout: 2000 });
  });

  it('drops a client that reads nothing instead of buffering every change for it', async () => {
    // A read cache that does not poll (its polls are the caller's): it would read these 6 MB every 100 ms.
    api = await startApi({ store: CachedStore.over(await openTestStore()) });
    // 8 environments of about 256 kB each: 2 MB, more than the 1 MiB bound and what a Unix socket buffers.
    const big = 'x'.repeat(256 * 1024);
    const at = new Date(0).toISOString();
    for (let i = 0; i < 8; i++) {
      const name = `chat-${i}`;
      await api.call({ method: 'PUT', url: `/v1/environments/${name}`, payload: envBody(name) });
      await api.store.updateStatus(name, { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'Big', message: big, lastTransitionTime: at, observedGeneration: 1 }], tiers: {} });
    }
    // A Unix socket: the kernel buffers little there, so the bound is what holds the bytes back (loopback TCP takes MBs).
    const path = join(mkdtempSync(join(tmpdir(), 'terrace-watch-')), 'api.sock');
    await api.app.listen({ path });
    const opened = new Promise<ServerResponse>((resolve) => api!.app.server.once('request', (_request, response) => resolve(response)));
    // A client that sends its request and never reads a byte of the answer.
    const socket = connect(path);
    socket.pause();
    socket.write(`GET /v1/watch HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`);
    const response = await opened;
    const dropped = new Promise<string>((resolve) => {
      const end = response.end.bind(response) as (chunk?: string) => ServerResponse;
      response.end = ((chunk?: string) => (resolve(String(chunk)), end(chunk))) as typeof response.end;
    });
    // The first listing alone overflows: the stream ends with a reason instead of holding 2 MB for the client.
    const sent = (resolve: (why: string) => void) => response.once('finish', () => resolve('finished'));
    const synced = new Promise<string>((resolve) => {
      const write = response.write.bind(response) as (chunk: string) => boolean;
      response.write = ((chunk: string) => {
        const ok = write(chunk);
        if (String(chunk).startsWith('event: synced')) resolve(`kept open with ${response.writableLength} bytes waiting`);
        return ok;
      }) as typeof response.write;
    });
    const why = await Promise.race([dropped, synced, new Promise<string>(sent)]);
    expect(why).toMatch(/^event: dropped\ndata: \{"reason":"SlowConsumer",/);
    expect(response.writableLength).toBeLessThan(2 * 1024 * 1024);
    socket.destroy();
  });

  it('filters by label and refuses a bad selector before streaming (400 at its path)', async () => {
    api = await startApi();
    await api.call({ method: 'PUT', url: '/v1/environments/chat-a', payload: envBody('chat-a', {}, { labels: { app: 'a' } }) });
    await api.call({ method: 'PUT', url: '/v1/environments/chat-b', payload: envBody('chat-b', {}, { labels: { app: 'b' } }) });
    const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/v1/watch?labelSelector=app%3Db`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const events = sseReader(res.body!);
    const first = (await events.next()) as { data: string };
    expect(JSON.parse(first.data).metadata.name).toBe('chat-b');
    expect(await events.next()).toMatchObject({ event: 'synced', data: '{"count":1}' });
    await events.cancel();
    const bad = await api.call({ method: 'GET', url: '/v1/watch?labelSelector=%3D%3D%3D' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors?.[0]?.path).toMatch(/^querystring\.labelSelector/);
  });
});
