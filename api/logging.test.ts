import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../test/support/api.ts';
import { redactUrl } from './redact-url.ts';

let api: TestApi;
afterEach(async () => api?.close());

/** A pino logger writing into memory; `text()` is everything it wrote. */
function capture() {
  let written = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      written += String(chunk);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), stream, text: () => written };
}

describe('query strings in logs and problems', () => {
  it('values of credential-like parameters never reach the log or the problem document; the path does', async () => {
    const log = capture();
    api = await startApi({ logger: log.logger });
    const urls = [
      '/v1/targets?token=SECRET123',
      '/v1/targets?limit=5&ACCESS_TOKEN=SECRET123',
      '/v1/environments?Api_Key=SECRET123&password=SECRET123',
      '/v1/nothing-here?secret=SECRET123&key=SECRET123',
    ];
    for (const url of urls) {
      const res = await api.call({ method: 'GET', url });
      expect(res.body, url).not.toContain('SECRET123');
    }
    expect(log.text()).toContain('/v1/targets?');
    expect(log.text()).toContain('/v1/nothing-here');
    expect(log.text()).toContain('limit=5');
    expect(log.text()).not.toContain('SECRET123');
  });

  it('also with logger options instead of a pino instance', async () => {
    const log = capture();
    api = await startApi({ logger: { level: 'info', stream: log.stream } });
    await api.call({ method: 'GET', url: '/v1/targets?limit=3&access_token=SECRET123' });
    expect(log.text()).toContain('/v1/targets?limit=3');
    expect(log.text()).not.toContain('SECRET123');
  });

  it('redactUrl keeps the paging and selector values, redacts every other value and bare parameters', () => {
    expect(redactUrl('/v1/environments?limit=10&continue=abc&labelSelector=app%3Dchat&dryRun=true')).toBe('/v1/environments?limit=10&continue=abc&labelSelector=app%3Dchat&dryRun=true');
    expect(redactUrl('/v1/targets?token=s3cr3t&limit=2')).toBe('/v1/targets?token=[redacted]&limit=2');
    expect(redactUrl('/v1/targets?trc_bare-token')).toBe('/v1/targets?[redacted]');
    expect(redactUrl('/v1/targets')).toBe('/v1/targets');
  });
});
