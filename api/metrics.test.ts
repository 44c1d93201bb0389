import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { envBody, startApi, type TestApi } from '../test/support/api.ts';

let api: TestApi;
afterEach(async () => api?.close());

describe('HTTP metrics', () => {
  it('are served at /metrics without a token, from the registry the app is given, by route pattern', async () => {
    const registry = new Registry();
    api = await startApi({ registry });
    await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: envBody('chat-dev') });
    await api.call({ method: 'PUT', url: '/v1/environments/chat-prod', payload: envBody('chat-prod') });
    const res = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('terrace_http_requests_total{method="PUT",route="/v1/environments/:name",status="201"} 2');
    expect(res.body).toMatch(/terrace_http_request_duration_seconds_count\{method="PUT",route="\/v1\/environments\/:name"\} 2/);
    expect(registry.getSingleMetric('terrace_http_requests_total')).toBeDefined();
  });

  it('two apps keep their own registries', async () => {
    api = await startApi({ registry: new Registry() });
    const other = await startApi({ registry: new Registry(), store: api.store });
    try {
      await api.call({ method: 'GET', url: '/v1/targets' });
      const text = (await other.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).not.toContain('route="/v1/targets"');
    } finally {
      await other.app.close();
    }
  });
});
