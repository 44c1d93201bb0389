import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { envBody, startApi, type TestApi } from '../test/support/api.ts';
import { controllerMetrics } from '../controller/metrics.ts';

let api: TestApi;
afterEach(async () => api?.close());

const cond = (type: string, status: 'True' | 'False') => ({ type, status, reason: 'R', message: '', lastTransitionTime: '2026-01-01T00:00:00.000Z', observedGeneration: 1 });

describe('metrics', () => {
  it('exposes HTTP, reconcile, queue and condition metrics at /metrics without a token', async () => {
    const registry = new Registry();
    api = await startApi({ registry });
    const observer = controllerMetrics(registry, api.store); // what the server hands the controller, on the registry /metrics serves
    await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: envBody('chat-dev') });
    await api.call({ method: 'PUT', url: '/v1/environments/chat-prod', payload: envBody('chat-prod') });
    await api.store.updateStatus('chat-dev', { conditions: [cond('Ready', 'False')], tiers: { network: { conditions: [cond('Applied', 'True')] } } });
    observer.tierReconciled({ environment: 'chat-dev', tier: 'network', outcome: 'Succeeded', seconds: 12 });
    observer.queueDepth(3);

    const res = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain('terrace_http_requests_total{method="PUT",route="/v1/environments/:name",status="201"} 2');
    expect(text).toMatch(/terrace_http_request_duration_seconds_count\{method="PUT",route="\/v1\/environments\/:name"\} 2/);
    expect(text).toContain('terrace_reconcile_duration_seconds_count{tier="network",outcome="Succeeded"} 1');
    expect(text).toContain('terrace_queue_depth 3');
    expect(text).toContain('terrace_condition{environment="chat-dev",tier="",type="Ready",status="False"} 1');
    expect(text).toContain('terrace_condition{environment="chat-dev",tier="network",type="Applied",status="True"} 1');
  });

  it('the condition gauge follows the store at each scrape, over every page', async () => {
    const registry = new Registry();
    api = await startApi({ registry });
    controllerMetrics(registry, api.store);
    for (let i = 0; i < 3; i++) {
      await api.call({ method: 'PUT', url: `/v1/environments/env-${i}`, payload: envBody(`env-${i}`) });
      await api.store.updateStatus(`env-${i}`, { conditions: [cond('Ready', 'True')], tiers: {} });
    }
    const list = api.store.list.bind(api.store);
    api.store.list = ((kind, options) => list(kind, { ...options, limit: 1 })) as typeof api.store.list; // force paging
    const scrape = async () => (await api.app.inject({ method: 'GET', url: '/metrics' })).body.split('\n').filter((l) => l.startsWith('terrace_condition{'));
    expect(await scrape()).toHaveLength(3);
    await api.store.remove('Environment', 'env-1');
    expect(await scrape()).toHaveLength(2);
  });

  it('a store outage empties the condition gauge instead of failing the scrape', async () => {
    const registry = new Registry();
    api = await startApi({ registry });
    controllerMetrics(registry, api.store);
    api.store.list = async () => {
      throw new Error('down');
    };
    expect((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    const res = await api.app.inject({ method: 'GET', url: '/metrics' }); // the counter shows the earlier scrape
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/terrace_condition_collect_errors_total [12]\n/);
    expect(res.body).not.toMatch(/^terrace_condition\{/m);
  });

  it('registers each metric on the registry it is given, once', async () => {
    const registry = new Registry();
    api = await startApi({ registry });
    controllerMetrics(registry, api.store);
    expect(() => controllerMetrics(registry, api.store)).toThrow(/already been registered/);
    const other = await startApi({ registry: new Registry(), store: api.store });
    try {
      // A second app keeps its own registry: nothing of the first one's leaks into it.
      const text = (await other.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toContain('terrace_http_requests_total');
      expect(text).not.toContain('terrace_queue_depth');
    } finally {
      await other.app.close();
    }
  });
});
