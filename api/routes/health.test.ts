import { afterEach, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../../test/support/api.ts';

let api: TestApi;
afterEach(async () => api?.close());

describe('health', () => {
  it('/healthz needs no token', async () => {
    api = await startApi();
    const res = await api.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz: ready when the store answers and the controller runs', async () => {
    let running = true;
    api = await startApi({ controller: { enqueue: () => undefined, running: () => running } });
    const ready = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', store: 'ok', controller: 'running' });
    running = false;
    const stopped = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect(stopped.statusCode).toBe(503);
    expect(stopped.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stopped.json()).toMatchObject({ status: 503, detail: 'the controller is not running' });
  });

  it('/readyz: 503 when the store does not answer, without saying why to the caller', async () => {
    api = await startApi();
    api.store.ping = async () => {
      throw new Error('connect ECONNREFUSED 10.1.2.3:8000');
    };
    const res = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().detail).toBe('the store is unreachable');
    expect(res.body).not.toContain('ECONNREFUSED');
  });
});
