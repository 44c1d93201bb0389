import { afterEach, describe, expect, it } from 'vitest';
import { envBody, startApi, type TestApi } from '../test/support/api.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-body.ts';

let api: TestApi;
afterEach(async () => api?.close());

const put = (payload: string | Buffer, contentType = 'application/json') =>
  api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload, headers: { 'content-type': contentType } });

const isProblem = (res: { statusCode: number; headers: Record<string, unknown>; json(): { detail: string } }, status: number, detail: RegExp) => {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json().detail).toMatch(detail);
};

describe('JSON request bodies', () => {
  it('a charset other than UTF-8 is refused with 415, not read as UTF-8; utf-8 in any spelling is accepted', async () => {
    api = await startApi();
    const text = JSON.stringify(envBody('chat-dev'));
    isProblem(await put(Buffer.from(text, 'utf16le'), 'application/json; charset=utf-16'), 415, /charset utf-16 is not supported.*UTF-8/);
    isProblem(await put(Buffer.from(text, 'latin1'), 'application/json; charset="ISO-8859-1"'), 415, /charset iso-8859-1/);
    expect((await put(text, 'application/json; charset=UTF-8')).statusCode).toBeLessThan(300);
    expect((await put(text, 'application/json;charset="utf8"')).statusCode).toBeLessThan(300);
    expect((await api.store.get('Environment', 'chat-dev'))?.metadata.name).toBe('chat-dev');
  });

  it('10,000 levels of nesting are a 400 naming the limit, before anything parses or validates them', async () => {
    api = await startApi();
    const deep = JSON.stringify(envBody('chat-dev')).replace(/}$/, `,"extra":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    isProblem(await put(deep), 400, new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`));
    const objects = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    isProblem(await put(objects), 400, /nested deeper than/);
    expect(await api.store.get('Environment', 'chat-dev')).toBeUndefined();
  });

  it('counts brackets outside strings only, escapes included', () => {
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan(JSON.stringify({ a: '[[[[{{{{', b: ['x\\"[[[['] }), 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ a: '\\' }) + nested(3), 2)).toBe(true);
  });

  it('__proto__ and constructor keys reach validation as own properties instead of failing as "not valid JSON"', async () => {
    api = await startApi();
    for (const key of ['__proto__', 'constructor']) {
      const text = JSON.stringify(envBody('chat-dev')).replace('"metadata":{', `"metadata":{"labels":{"${key}":"x"},`);
      const res = await put(text);
      expect(res.statusCode, key).not.toBe(400);
      // Accepted, or refused by validation naming the field: either way not the parser's doing.
      if (res.statusCode >= 400) expect(res.json().detail, key).toContain(`metadata.labels.${key}`);
    }
  });

  it('an empty body and invalid JSON are 400s that say so without quoting the body', async () => {
    api = await startApi();
    isProblem(await put(''), 400, /body is empty/);
    isProblem(await put('  \n'), 400, /body is empty/);
    const bad = await put('{"token":"SECRET123" oops}');
    isProblem(bad, 400, /not valid JSON \(at character \d+\)/);
    expect(bad.body).not.toContain('SECRET123');
    isProblem(await put('{"apiVersion":'), 400, /not valid JSON \(it ends too early\)/);
  });
});
