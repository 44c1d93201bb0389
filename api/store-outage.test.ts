import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedStore } from '../specs/store/cached-store.ts';
import { DynamoStore } from '../specs/store/dynamo-store.ts';
import { externalClient, openStore } from '../specs/store/open.ts';
import { ensureTable } from '../specs/store/table.ts';
import { StoreUnavailableError, unavailableReason } from '../specs/store/unavailable.ts';
import { startApi, type TestApi } from '../test/support/api.ts';
import { tempDir } from '../test/support/store.ts';

// TERRACE_TABLE mode against a standalone dynalite that is stopped and started again under the running API.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const TABLE = 'terrace-outage';

const dir = tempDir('terrace-outage-');
let server: Server;
let port = 0;
let api: TestApi;
// The read cache's clock: polls run when the test says (sync), its age moves when the test says.
const clock = { now: 1_000_000 };
let cached: CachedStore;
const lines: { level: number; msg: string }[] = [];

/** Starts dynalite on `port` (0: any) with its data in the temp dir, so a restart finds the same data. */
async function startDynamo(): Promise<void> {
  server = dynalite({ path: dir.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
}

async function stopDynamo(): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  await startDynamo();
  const endpoint = `http://127.0.0.1:${port}`;
  const admin = new DynamoDBClient({ region: 'eu-west-1', endpoint, credentials });
  await ensureTable(admin, TABLE);
  admin.destroy();
  const { store } = await openStore({ table: TABLE, endpoint, region: 'eu-west-1' });
  const logStream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  cached = CachedStore.over(store, { pollMs: 1000, now: () => clock.now });
  api = await startApi({ store: cached, logger: pino({ level: 'info' }, logStream) });
});

afterAll(async () => {
  await api?.close();
  if (server?.listening) await stopDynamo();
  dir.remove();
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
});

const target = (name: string) => ({ apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name }, spec: { provider: 'local' } });

describe('a store outage under the running API', () => {
  it('answers 503 with Retry-After while the store is down, 401 where no store is needed, and recovers with nothing lost', async () => {
    const writer = await api.as('write');
    expect((await api.call({ method: 'PUT', url: '/v1/targets/lab', payload: target('lab') })).statusCode).toBeLessThan(300);
    const before = (await api.app.inject({ method: 'GET', url: '/v1/targets/lab', headers: writer })).json();
    expect((await api.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    await cached.sync();

    await stopDynamo();
    // Within the cache's bound (3 polls), reads are still answered from memory, saying how old they may be.
    clock.now += 3000;
    const cachedRead = await api.app.inject({ method: 'GET', url: '/v1/targets/lab', headers: writer });
    expect(cachedRead.statusCode).toBe(200);
    expect(cachedRead.headers['x-terrace-cache-age']).toBe('3000');
    // Past it, with no poll succeeding, every read goes to the store, and the outage shows.
    clock.now += 1;
    const requests = [
      { method: 'GET' as const, url: '/v1/targets/lab', headers: writer },
      // The rate limiter identifies the (stored) token first: an outage there is a 503 too, not a 500 or a bypass.
      { method: 'PUT' as const, url: '/v1/targets/lab2', headers: writer, payload: target('lab2') },
      // The admin token needs no store to be accepted; the route does.
      { method: 'GET' as const, url: '/v1/environments', headers: api.admin },
    ];
    for (const request of requests) {
      const res = await api.app.inject(request);
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 503, detail: expect.stringContaining('store is unavailable') });
      expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    }
    for (const authorization of [undefined, 'Token abc', 'Bearer']) {
      const res = await api.app.inject({ method: 'GET', url: '/v1/targets', headers: authorization ? { authorization } : {} });
      expect(res.statusCode, String(authorization)).toBe(401);
    }
    const notReady = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.headers['retry-after']).toBe('5');
    // Logged as a warning per request, never as an internal error with a stack.
    expect(lines.filter((l) => l.msg === 'store unavailable').length).toBeGreaterThanOrEqual(requests.length);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);

    await startDynamo();
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) ready = (await api.app.inject({ method: 'GET', url: '/readyz' })).statusCode;
    expect(ready).toBe(200);
    await cached.sync();
    const after = await api.app.inject({ method: 'GET', url: '/v1/targets/lab', headers: writer });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual(before);
    expect((await api.app.inject({ method: 'PUT', url: '/v1/targets/lab2', headers: writer, payload: target('lab2') })).statusCode).toBeLessThan(300);
  });
});

describe('which store errors mean "unavailable"', () => {
  const awsError = (name: string, httpStatusCode: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

  it('network failures, timeouts, throttling and 5xx do; request errors do not', () => {
    expect(unavailableReason(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:8000'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(unavailableReason(new Error('socket hang up'))).toBe('socket hang up');
    expect(unavailableReason(awsError('TimeoutError', 0))).toBe('TimeoutError');
    expect(unavailableReason(awsError('ProvisionedThroughputExceededException', 400))).toBe('ProvisionedThroughputExceededException');
    expect(unavailableReason(awsError('ThrottlingException', 400))).toBe('ThrottlingException');
    expect(unavailableReason(awsError('SomethingNew', 502))).toMatch(/HTTP 502/);
    expect(unavailableReason(awsError('ConditionalCheckFailedException', 400))).toBeUndefined();
    expect(unavailableReason(awsError('ResourceNotFoundException', 400))).toBeUndefined();
    expect(unavailableReason(awsError('ValidationException', 400))).toBeUndefined();
    expect(unavailableReason('ECONNREFUSED')).toBeUndefined();
  });
});

describe('a store that accepts connections and never answers', () => {
  it('fails each call as unavailable within a few seconds instead of hanging', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => void sockets.add(socket)); // reads nothing, answers nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const client = externalClient({ region: 'eu-west-1', endpoint });
    client.config.credentials = async () => credentials;
    const store = new DynamoStore({ client, table: TABLE });
    try {
      const started = Date.now();
      const failure = await store.get('Target', 'local').then(() => undefined, (err: unknown) => err);
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(15_000); // two attempts of at most 2 s each, not forever
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      await store.close();
    }
  }, 20_000);
});
