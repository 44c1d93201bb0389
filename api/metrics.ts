import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';
import type { Store, StoredEnvironment } from '../specs/store/types.ts';

export interface ControllerObserver {
  tierReconciled(e: { environment: string; tier: string; outcome: string; seconds: number }): void;
  queueDepth(depth: number): void;
}

/** Registers a metric once per registry, so buildApp and main may both ask for it. */
function once<M extends Metric>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/**
 * Controller metrics and the condition gauge. The gauge is computed at scrape time from the store,
 * so every replica reports the same truth and nothing has to keep it in sync.
 */
export function createMetrics(registry: Registry, store: Store): { observer: ControllerObserver } {
  const reconcile = once(registry, 'terrace_reconcile_duration_seconds', () => new Histogram({
    name: 'terrace_reconcile_duration_seconds', help: 'Time to reconcile one tier', labelNames: ['tier', 'outcome'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600], registers: [registry],
  }));
  const queue = once(registry, 'terrace_queue_depth', () => new Gauge({ name: 'terrace_queue_depth', help: 'Environments waiting to be reconciled', registers: [registry] }));
  once(registry, 'terrace_condition', () => new Gauge({
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
  }));
  // Scrapes collect metrics concurrently: a failure shows in this counter from the next scrape on.
  const collectErrors = once(registry, 'terrace_condition_collect_errors_total', () => new Counter({
    name: 'terrace_condition_collect_errors_total', help: 'Scrapes where the store could not be read for terrace_condition', registers: [registry],
  }));
  return {
    observer: {
      tierReconciled: (e) => reconcile.observe({ tier: e.tier, outcome: e.outcome }, e.seconds),
      queueDepth: (depth) => queue.set(depth),
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

/** Counts and times every answered request, labelled by route pattern (not raw URL: bounded cardinality). */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = once(registry, 'terrace_http_requests_total', () => new Counter({
    name: 'terrace_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'], registers: [registry],
  }));
  const duration = once(registry, 'terrace_http_request_duration_seconds', () => new Histogram({
    name: 'terrace_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  }));
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}
