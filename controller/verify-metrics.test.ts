import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../specs/store/types.ts';
import { openTestStore } from '../test/support/store.ts';
import { controllerMetrics } from './metrics.ts';

let store: Store;
afterEach(async () => store?.close());

describe('verification metrics', () => {
  it('observe each run and count failed checks by reason', async () => {
    store = await openTestStore();
    const registry = new Registry();
    const observer = controllerMetrics(registry, store);
    observer.verified!({ environment: 'chat-dev', seconds: 2.5, failures: [] });
    observer.verified!({ environment: 'chat-dev', seconds: 0.2, failures: ['Refused', 'Refused', 'DroppedEarly'] });
    const text = await registry.metrics();
    expect(text).toContain('terrace_verify_duration_seconds_count 2');
    expect(text).toContain('terrace_verify_duration_seconds_sum 2.7');
    expect(text).toContain('terrace_verify_failures_total{reason="Refused"} 2');
    expect(text).toContain('terrace_verify_failures_total{reason="DroppedEarly"} 1');
  });
});
