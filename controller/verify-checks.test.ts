import { getEventListeners } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { checkFrontend } from './verify/frontend-check.ts';
import { checkHttp } from './verify/http-check.ts';
import { deadlineMs, MAX_RUN_MS, runChecks } from './verify/run.ts';
import { checkWebSocket } from './verify/ws-check.ts';
import { startDaphne, type AppVariant, type DaphneApp } from '../test/support/daphne.ts';

// The checker against a real Daphne serving test/fixtures/asgi_app.py in each variant, and against loopback
// servers that never answer. Hold times stay at 1-3 s.

const apps = {} as Record<AppVariant | 'down', DaphneApp>;
let silent: { server: Server; url: string; sockets: Socket[] };
let plain: { server: Server; url: string; sockets: Socket[] };
const live = () => new AbortController().signal;
const echo = { send: 'ping', expect: 'ping', connections: 1, holdSeconds: 1 };

beforeAll(async () => {
  for (const variant of ['ok', 'refuse', 'drop', 'wrong'] as const) apps[variant] = await startDaphne(variant);
  apps.down = await startDaphne('ok');
  await apps.down.stop();
  silent = await loopbackServer(() => {});
  plain = await loopbackServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n'));
}, 60_000);
afterAll(async () => {
  await Promise.all(Object.values(apps).map((a) => a.stop()));
  for (const { server, sockets } of [silent, plain]) {
    sockets.forEach((s) => s.destroy());
    server.close();
  }
});

const ws = (app: DaphneApp, path = '/ws/echo/') => app.url.replace('http', 'ws') + path;

describe('HTTP checks', () => {
  it('pass when the route answers the expected status', async () => {
    const out = await checkHttp(`${apps.ok.url}/health/ready`, { expectStatus: 200, timeoutSeconds: 5 }, live());
    expect(out).toMatchObject({ passed: true, httpStatus: 200 });
  });

  it('fail as WrongReply with the status the route answered', async () => {
    const out = await checkHttp(`${apps.ok.url}/health/ready`, { expectStatus: 204, timeoutSeconds: 5 }, live());
    expect(out).toMatchObject({ passed: false, reason: 'WrongReply', httpStatus: 200 });
    expect(out.message).toContain('answered 200, expected 204');
  });

  it('fail as Refused when the app is down', async () => {
    const out = await checkHttp(`${apps.down.url}/health/ready`, { expectStatus: 200, timeoutSeconds: 5 }, live());
    expect(out).toMatchObject({ passed: false, reason: 'Refused' });
    expect(out.message).toContain('ECONNREFUSED');
  });

  it('fail as Timeout when nothing answers within timeoutSeconds', async () => {
    const out = await checkHttp(`${silent.url}/health/ready`, { expectStatus: 200, timeoutSeconds: 1 }, live());
    expect(out).toMatchObject({ passed: false, reason: 'Timeout' });
    expect(out.durationMs).toBeLessThan(3_000);
  });

  it('fail as TLSError when https meets a server that does not speak TLS', async () => {
    const out = await checkHttp(`${plain.url.replace('http', 'https')}/health/ready`, { expectStatus: 200, timeoutSeconds: 5 }, live());
    expect(out).toMatchObject({ passed: false, reason: 'TLSError' });
  });
});

describe('WebSocket checks', () => {
  it('hold N echo connections and measure connect and round-trip times', async () => {
    const out = await checkWebSocket(ws(apps.ok), { ...echo, connections: 20 }, live());
    expect(out).toMatchObject({ passed: true, connections: 20, connectionsHeld: 20 });
    expect(out.connectMs!.p50).toBeGreaterThan(0);
    expect(out.connectMs!.p99).toBeGreaterThanOrEqual(out.connectMs!.p50);
    expect(out.roundTripMs!.p99).toBeGreaterThanOrEqual(out.roundTripMs!.p50);
    expect(out.durationMs).toBeGreaterThanOrEqual(1_000);
  });

  it('fail as HandshakeRejected with the HTTP status when the app refuses the upgrade', async () => {
    const out = await checkWebSocket(ws(apps.refuse), { ...echo, connections: 3 }, live());
    expect(out).toMatchObject({ passed: false, reason: 'HandshakeRejected', httpStatus: 403, connectionsHeld: 0 });
    expect(out.message).toContain('3 of 3 upgrades');
  });

  it('fail as DroppedEarly, saying after how long and how many of N, when the app closes sockets after 2 s', async () => {
    const out = await checkWebSocket(ws(apps.drop), { ...echo, connections: 4, holdSeconds: 3 }, live());
    expect(out).toMatchObject({ passed: false, reason: 'DroppedEarly', connectionsHeld: 0 });
    expect(out.message).toMatch(/^4 of 4 connections .* closed after 2\.[0-9] s \(each must stay open 3 s\)/);
  });

  it('pass against the dropping app when the hold is shorter than its 2 s', async () => {
    const out = await checkWebSocket(ws(apps.drop), { ...echo, holdSeconds: 1 }, live());
    expect(out).toMatchObject({ passed: true, connectionsHeld: 1 });
  });

  it('fail as WrongReply, quoting the reply, when the app answers the wrong thing', async () => {
    const out = await checkWebSocket(ws(apps.wrong), echo, live(), { handshakeTimeoutMs: 10_000, replyTimeoutMs: 1_000 });
    expect(out).toMatchObject({ passed: false, reason: 'WrongReply' });
    expect(out.message).toContain('answered "pong" to "ping"');
  });

  it('fail as Refused when the app is down', async () => {
    const out = await checkWebSocket(ws(apps.down), echo, live());
    expect(out).toMatchObject({ passed: false, reason: 'Refused', connectionsHeld: 0 });
  });

  it('fail as Timeout when the upgrade never completes', async () => {
    const out = await checkWebSocket(`${silent.url.replace('http', 'ws')}/ws/echo/`, echo, live(), { handshakeTimeoutMs: 500, replyTimeoutMs: 500 });
    expect(out).toMatchObject({ passed: false, reason: 'Timeout' });
  });

  it('fail as TLSError when wss meets a server that does not speak TLS', async () => {
    const out = await checkWebSocket(`${plain.url.replace('http', 'wss')}/ws/echo/`, echo, live());
    expect(out).toMatchObject({ passed: false, reason: 'TLSError' });
  });

  it('stop at once, closing every socket, when the signal aborts', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const abort = new AbortController();
    let open = 0;
    const codes: number[] = [];
    let allClosed!: () => void;
    const closed = new Promise<void>((resolve) => (allClosed = resolve));
    const allOpen = new Promise<void>((resolve) => server.on('connection', (socket) => {
      if (++open === 3) resolve();
      socket.on('close', (code) => {
        codes.push(code);
        if (--open === 0) allClosed();
      });
    }));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const running = checkWebSocket(url, { connections: 3, holdSeconds: 600 }, abort.signal);
    await allOpen;
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(1); // one per check, not one per connection
    const abortedAt = performance.now();
    abort.abort();
    const out = await running;
    expect(out).toMatchObject({ passed: false, reason: 'Cancelled', connectionsHeld: 0 });
    expect(performance.now() - abortedAt).toBeLessThan(2_000);
    await closed; // the server saw every socket go (else the test times out)
    expect(codes).toEqual([1006, 1006, 1006]); // terminated: no close handshake to wait for
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }, 10_000);
});

/** A Channels-style app: greets every connection, then echoes each message. */
async function greetingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    socket.send('{"type": "welcome"}');
    socket.on('message', (data) => socket.send(data.toString()));
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('WebSocket replies', () => {
  it('skip a greeting on connect: the reply is the first message containing expect', async () => {
    const app = await greetingServer();
    const out = await checkWebSocket(app.url, { send: 'ping', expect: 'ping', connections: 3, holdSeconds: 1 }, live());
    await app.close();
    expect(out).toMatchObject({ passed: true, connectionsHeld: 3 });
    expect(out.roundTripMs).toBeDefined();
  });

  it('fail as WrongReply, quoting what came, when nothing containing expect comes within the reply timeout', async () => {
    const app = await greetingServer();
    const out = await checkWebSocket(app.url, { send: 'ping', expect: 'pong', connections: 1, holdSeconds: 1 }, live(), { handshakeTimeoutMs: 2_000, replyTimeoutMs: 500 });
    await app.close();
    expect(out).toMatchObject({ passed: false, reason: 'WrongReply' });
    expect(out.message).toContain('"pong"');
  });

  it('measure no round trip without send, whatever the server sends', async () => {
    const app = await greetingServer();
    const out = await checkWebSocket(app.url, { connections: 2, holdSeconds: 1 }, live());
    await app.close();
    expect(out).toMatchObject({ passed: true, connectionsHeld: 2 });
    expect(out.roundTripMs).toBeUndefined();
  });
});

describe('a run', () => {
  it('has a deadline from its checks, never above 15 minutes', () => {
    const ws = (holdSeconds: number) => ({ kind: 'websocket' as const, url: 'ws://127.0.0.1:1/ws', check: { path: '/ws', connections: 1, holdSeconds } });
    expect(deadlineMs([ws(30)], { handshakeTimeoutMs: 10_000, replyTimeoutMs: 5_000 })).toBe(10_000 + 30_000 + 10_000);
    expect(deadlineMs(Array.from({ length: 20 }, () => ws(600)))).toBe(MAX_RUN_MS);
  });

  it('stops at its deadline and reports the check it cut as Timeout', async () => {
    const [out] = await runChecks([{ kind: 'websocket', url: ws(apps.ok), check: { ...echo, path: '/ws/echo/', holdSeconds: 600 } }], live(), { deadlineMs: 500 });
    expect(out).toMatchObject({ passed: false, reason: 'Timeout' });
    expect(out.message).toContain('deadline of 0.5 s');
  });

  it('reports an HTTP check its deadline cut as Timeout of the run, not of the check', async () => {
    const [out] = await runChecks([{ kind: 'http', url: `${silent.url}/health/ready`, check: { path: '/health/ready', expectStatus: 200, timeoutSeconds: 60 } }], live(), { deadlineMs: 500 });
    expect(out).toMatchObject({ passed: false, reason: 'Timeout' });
    expect(out.message).toContain('deadline of 0.5 s');
    expect(out.message).not.toContain('60 s');
  });

  it('runs nothing more once cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    expect(await runChecks([{ kind: 'http', url: `${apps.ok.url}/health/ready`, check: { path: '/health/ready', expectStatus: 200, timeoutSeconds: 5 } }], abort.signal)).toEqual([]);
  });
});

describe('the SPA deep-link check', () => {
  it('passes when a deep link answers index.html', async () => {
    expect(await checkFrontend(apps.ok.url, live())).toMatchObject({ passed: true });
  });

  it('fails as WrongReply when a deep link is a 404', async () => {
    const out = await checkFrontend(`${apps.ok.url}/nospa`, live());
    expect(out).toMatchObject({ passed: false, reason: 'WrongReply', httpStatus: 404 });
  });
});

/** A TCP server on loopback: `answer` does nothing for a hung app, or answers plain HTTP to anything (no TLS). */
async function loopbackServer(answer: (socket: Socket) => void): Promise<{ server: Server; url: string; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    answer(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, sockets };
}
