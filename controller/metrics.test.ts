import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../specs/store/types.ts';
import { environment, openTestStore } from '../test/support/store.ts';
import { controllerMetrics } from './metrics.ts';

let store: Store;
afterEach(async () => store?.close());

const cond = (type: string, status: 'True' | 'False') => ({ type, status, reason: 'R', message: '', lastTransitionTime: '2026-01-01T00:00:00.000Z', observedGeneration: 1 }) as const;
const conditionLines = async (registry: Registry) => (await registry.metrics()).split('\n').filter((l) => l.startsWith('terrace_condition{'));

describe('controller metrics', () => {
  it('report reconciles, the queue and every condition of the store', async () => {
    store = await openTestStore();
    const registry = new Registry();
    const observer = controllerMetrics(registry, store);
    await store.create(environment('chat-dev'));
    await store.updateStatus('chat-dev', { conditions: [cond('Ready', 'False')], tiers: { network: { conditions: [cond('Applied', 'True')] } } });
    observer.tierReconciled({ environment: 'chat-dev', tier: 'network', outcome: 'Succeeded', seconds: 12 });
    observer.queueDepth(3);
    const text = await registry.metrics();
    expect(text).toContain('terrace_reconcile_duration_seconds_count{tier="network",outcome="Succeeded"} 1');
    expect(text).toContain('terrace_queue_depth 3');
    expect(await conditionLines(registry)).toEqual([
      'terrace_condition{environment="chat-dev",tier="",type="Ready",status="False"} 1',
      'terrace_condition{environment="chat-dev",tier="network",type="Applied",status="True"} 1',
    ]);
  });

  it('the condition gauge follows the store at each scrape, over every page', async () => {
    store = await openTestStore();
    const registry = new Registry();
    controllerMetrics(registry, store);
    for (let i = 0; i < 3; i++) {
      await store.create(environment(`env-${i}`));
      await store.updateStatus(`env-${i}`, { conditions: [cond('Ready', 'True')], tiers: {} });
    }
    const list = store.list.bind(store);
    store.list = ((kind, options) => list(kind, { ...options, limit: 1 })) as typeof store.list; // force paging
    expect(await conditionLines(registry)).toHaveLength(3);
    await store.remove('Environment', 'env-1');
    expect(await conditionLines(registry)).toHaveLength(2);
  });

  it('a store outage empties the condition gauge and counts the failed scrape', async () => {
    store = await openTestStore();
    const registry = new Registry();
    controllerMetrics(registry, store);
    await store.create(environment('chat-dev'));
    await store.updateStatus('chat-dev', { conditions: [cond('Ready', 'True')], tiers: {} });
    expect(await conditionLines(registry)).toHaveLength(1);
    store.list = async () => {
      throw new Error('down');
    };
    expect(await conditionLines(registry)).toEqual([]);
    expect(await registry.metrics()).toMatch(/terrace_condition_collect_errors_total [12]\n/);
  });

  it('registers each metric once, on the registry it is given', async () => {
    store = await openTestStore();
    const registry = new Registry();
    controllerMetrics(registry, store);
    expect(() => controllerMetrics(registry, store)).toThrow(/already been registered/);
    expect(await new Registry().metrics()).toBe('\n');
  });
});
