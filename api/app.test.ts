import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, envBody, startApi, type TestApi } from '../test/support/api.ts';
import { loggerOptions } from './logging.ts';

let api: TestApi;
afterEach(async () => api?.close());

/** A pino logger writing JSON lines into an array. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines, text: () => JSON.stringify(lines) };
}

const isProblem = (res: { headers: Record<string, unknown>; json(): Record<string, unknown> }, status: number) => {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ type: 'about:blank', title: expect.any(String), status, detail: expect.any(String), instance: expect.any(String) });
};

describe('Fastify errors are problems too', () => {
  it('404 for an unknown route', async () => {
    api = await startApi();
    const res = await api.call({ method: 'GET', url: '/v2/nothing' });
    expect(res.statusCode).toBe(404);
    isProblem(res, 404);
  });

  it('400 for malformed JSON, 415 for other media types, 413 over 1 MiB', async () => {
    api = await startApi();
    const bad = await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: '{"apiVersion":', headers: { 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    isProblem(bad, 400);
    const xml = await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: '<env/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.statusCode).toBe(415);
    isProblem(xml, 415);
    const big = { ...envBody('chat-dev'), metadata: { name: 'chat-dev', annotations: { filler: 'x'.repeat(1024 * 1024) } } };
    const large = await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: JSON.stringify(big), headers: { 'content-type': 'application/json' } });
    expect(large.statusCode).toBe(413);
    isProblem(large, 413);
    expect(await api.store.get('Environment', 'chat-dev')).toBeUndefined();
  });

  it('500 says nothing about the cause to the client and everything to the log, with the request id', async () => {
    const log = capture();
    api = await startApi({ logger: log.logger });
    api.store.list = async () => {
      throw new Error('dynamodb exploded: password=hunter2 at 10.0.0.5');
    };
    const res = await api.call({ method: 'GET', url: '/v1/environments', headers: { 'x-request-id': 'req-500-test' } });
    expect(res.statusCode).toBe(500);
    isProblem(res, 500);
    expect(res.body).not.toMatch(/hunter2|dynamodb|10\.0\.0\.5/);
    expect(res.json().requestId).toBe('req-500-test');
    const line = log.lines.find((l) => l.msg === 'request failed');
    expect(line).toMatchObject({ reqId: 'req-500-test', err: { message: expect.stringContaining('dynamodb exploded') } });
  });
});

describe('request ids and logging', () => {
  it('honours a sane x-request-id, replaces an odd one, and echoes it', async () => {
    api = await startApi();
    const sane = await api.call({ method: 'GET', url: '/v1/targets', headers: { 'x-request-id': 'ci-run-42.step:7' } });
    expect(sane.headers['x-request-id']).toBe('ci-run-42.step:7');
    const odd = await api.call({ method: 'GET', url: '/v1/targets', headers: { 'x-request-id': 'x\u00e9 <script>' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const none = await api.app.inject({ method: 'GET', url: '/healthz' });
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('every log line of a request carries its id; tokens never reach the log', async () => {
    const log = capture();
    api = await startApi({ logger: log.logger });
    const created = await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'ci', scopes: ['read'] }, headers: { 'x-request-id': 'req-log-1' } });
    await api.app.inject({ method: 'GET', url: '/v1/targets', headers: { authorization: `Bearer ${created.json().token}`, 'x-request-id': 'req-log-2' } });
    const requestLines = log.lines.filter((l) => l.req || l.res || l.msg === 'token created');
    expect(requestLines.length).toBeGreaterThanOrEqual(5);
    for (const line of requestLines) expect(line.reqId).toMatch(/^req-log-[12]$/);
    expect(log.text()).not.toContain(created.json().token);
    expect(log.text()).not.toContain(ADMIN_TOKEN);
  });

  it('redacts authorization headers and secret-looking fields, also on a logger passed in', () => {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) });
    const { loggerInstance } = loggerOptions(pino(stream));
    loggerInstance!.info({ req: { headers: { authorization: 'Bearer trc_abc' } }, token: 'trc_def', body: { password: 'p4ss', nested: { secret: 's3' } } }, 'x');
    const text = lines.join('');
    expect(text).not.toMatch(/trc_abc|trc_def|p4ss|s3"/);
    expect(text).toContain('[redacted]');
  });
});

describe('security headers', () => {
  it('the API forbids everything in its CSP; /docs is relaxed just enough for Swagger UI', async () => {
    api = await startApi();
    const apiRes = await api.call({ method: 'GET', url: '/v1/targets' });
    expect(apiRes.headers['content-security-policy']).toContain("default-src 'none'");
    expect(apiRes.headers['x-content-type-options']).toBe('nosniff');
    expect(apiRes.headers['x-frame-options']).toBe('DENY');
    const docs = await api.app.inject({ method: 'GET', url: '/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['content-security-policy']).not.toContain("default-src 'none'");
    expect(docs.body).toContain('swagger-initializer.js');
  });
});
