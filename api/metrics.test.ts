import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { envBody, startApi, type TestApi } from '../test/support/api.ts';
import { createMetrics } from './metrics.ts';

let api: TestApi;
afterEach(async () => api?.close());

const cond = (type: string, status: 'True' | 'False') => ({ type, status, reason: 'R', message: '', lastTransitionTime: '2026-01-01T00:00:00.000Z', observedGeneration: 1 });

describe('metrics', () => {
  it('exposes HTTP, reconcile, queue and condition metrics at /metrics without a token', async () => {
    const registry = new Registry();
    api = await startApi({ registry });
    const { observer } = createMetrics(registry, api.store); // what main hands the controller
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
    api.store.list = async () => {
      throw new Error('down');
    };
    expect((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    const res = await api.app.inject({ method: 'GET', url: '/metrics' }); // the counter shows the earlier scrape
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/terrace_condition_collect_errors_total [12]\n/);
    expect(res.body).not.toMatch(/^terrace_condition\{/m);
  });

  it('createMetrics twice on one registry shares the metrics', () => {
    const registry = new Registry();
    const a = createMetrics(registry, {} as never);
    const b = createMetrics(registry, {} as never);
    a.observer.queueDepth(1);
    b.observer.queueDepth(2);
    expect(registry.getSingleMetric('terrace_queue_depth')).toBeDefined();
  });
});
