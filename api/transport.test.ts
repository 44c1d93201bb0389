import { connect, type AddressInfo, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { hashToken } from './auth/tokens.ts';
import { buildApp } from './app.ts';
import { ADMIN_TOKEN } from '../test/support/api.ts';
import { openTestStore } from '../test/support/store.ts';
import type { Store } from '../specs/store/types.ts';

let app: FastifyInstance | undefined;
let store: Store | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy(); // when a test failed with its socket still open
  await app?.close();
  await store?.close();
  app = store = undefined;
});

/** A real server on a loopback port. */
async function listen(requestTimeoutMs?: number): Promise<number> {
  store = await openTestStore();
  app = await buildApp({ store, logger: false, adminTokenHash: hashToken(ADMIN_TOKEN), requestTimeoutMs });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

/** Sends the head of a PUT that announces a 1000-byte body and only a part of it, then waits until the server closes the socket. */
function sendPartialBody(port: number, headers: string[]): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, ms: Date.now() - started }));
    socket.write(['PUT /v1/targets/slow HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/json', 'Content-Length: 1000', ...headers, '', '{"apiVersion":'].join('\r\n'));
  });
}

describe('slow and refused request bodies', () => {
  it('a body that does not arrive in time ends the connection (408), even with a valid token', async () => {
    const port = await listen(500);
    const { answer, ms } = await sendPartialBody(port, [`Authorization: Bearer ${ADMIN_TOKEN}`]);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(3000);
    expect(await store!.get('Target', 'slow')).toBeUndefined();
  }, 10_000);

  it('a 401 answered before the body was read closes the connection at once, not when the body would time out', async () => {
    const port = await listen(); // the default (30 s): only Connection: close can end this soon
    const { answer, ms } = await sendPartialBody(port, []);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer).toMatch(/\r\ncontent-type: application\/problem\+json/i);
    expect(ms).toBeLessThan(5000);
  }, 10_000);

  it('a complete request keeps its connection alive', async () => {
    const port = await listen();
    const res = await fetch(`http://127.0.0.1:${port}/v1/targets/local`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('keep-alive');
    await res.body?.cancel();
  });
});
