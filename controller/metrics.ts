import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Store, StoredEnvironment } from '../specs/store/types.ts';
import type { ControllerObserver } from './observer.ts';

/**
 * The controller's metrics and the condition gauge, registered on `registry` (the one /metrics serves).
 * The gauge is computed at scrape time from the store, so every replica reports the same truth and nothing
 * has to keep it in sync.
 */
export function controllerMetrics(registry: Registry, store: Store): ControllerObserver {
  const reconcile = new Histogram({
    name: 'terrace_reconcile_duration_seconds', help: 'Time to reconcile one tier', labelNames: ['tier', 'outcome'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600], registers: [registry],
  });
  const verifyDuration = new Histogram({
    name: 'terrace_verify_duration_seconds', help: 'Time to run the checks of spec.verify for one environment',
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 900], registers: [registry],
  });
  const verifyFailures = new Counter({
    name: 'terrace_verify_failures_total', help: 'Failed checks of spec.verify, by reason', labelNames: ['reason'], registers: [registry],
  });
  const queue = new Gauge({ name: 'terrace_queue_depth', help: 'Environments waiting to be reconciled', registers: [registry] });
  // Scrapes collect metrics concurrently: a failure shows in this counter from the next scrape on.
  const collectErrors = new Counter({
    name: 'terrace_condition_collect_errors_total', help: 'Scrapes where the store could not be read for terrace_condition', registers: [registry],
  });
  new Gauge({
    name: 'terrace_condition', help: 'One series per condition of each environment and tier (tier "" for the environment)',
    labelNames: ['environment', 'tier', 'type', 'status'], registers: [registry],
    async collect() {
      this.reset();
      try {
        for await (const env of allEnvironments(store)) {
          const environment = env.metadata.name;
          for (const c of env.status.conditions) this.set({ environment, tier: '', type: c.type, status: c.status }, 1);
          for (const [tier, s] of Object.entries(env.status.tiers)) for (const c of s.conditions) this.set({ environment, tier, type: c.type, status: c.status }, 1);
        }
      } catch {
        // A store outage must not take the HTTP metrics down with it.
        this.reset();
        collectErrors.inc();
      }
    },
  });
  return {
    tierReconciled: (e) => reconcile.observe({ tier: e.tier, outcome: e.outcome }, e.seconds),
    queueDepth: (depth) => queue.set(depth),
    verified: (e) => {
      verifyDuration.observe(e.seconds);
      for (const reason of e.failures) verifyFailures.inc({ reason });
    },
  };
}

async function* allEnvironments(store: Store): AsyncGenerator<StoredEnvironment> {
  let token: string | undefined;
  do {
    const page = await store.list('Environment', { limit: 500, continue: token });
    yield* page.items;
    token = page.continue;
  } while (token);
}
