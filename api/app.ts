import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import helmet from '@fastify/helmet';
import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Environment } from '../specs/environment.ts';
import { CachedStore } from '../specs/store/cached-store.ts';
import type { Store } from '../specs/store/types.ts';
import type { Target } from '../specs/target.ts';
import { createAuth } from './auth/authenticate.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { registerJsonBody } from './json-body.ts';
import { genReqId, loggerOptions } from './logging.ts';
import { registerHttpMetrics } from './metrics.ts';
import { DEFAULT_RATE_LIMIT, registerRateLimit, type RateLimit } from './rate-limit.ts';
import { dashboardRoutes, whoamiRoutes } from './routes/dashboard.ts';
import { docsRoutes, registerOpenApi } from './routes/docs.ts';
import { environmentRoutes } from './routes/environments.ts';
import { healthRoutes } from './routes/health.ts';
import { operationRoutes } from './routes/operations.ts';
import { planRoutes, type Planner } from './routes/plan.ts';
import { previewRoutes } from './routes/previews.ts';
import { targetRoutes } from './routes/targets.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { watchRoutes } from './routes/watch.ts';
import { watchAllRoutes } from './routes/watch-all.ts';
import { closeWhenBodyUnread, DEFAULT_REQUEST_TIMEOUT_MS, transportOptions } from './transport.ts';
import { typeBoxValidator } from './typebox.ts';

export interface DryRunTier { tier: string; resources: number; outputs: string[]; violations: { rule: string; address: string; message: string }[] }
export interface AppDeps {
  /** Reads go through a read cache: a CachedStore as given (its owner starts it), else one this app polls (cachePollMs) and stops. */
  store: Store;
  /** Poll interval of the read cache buildApp makes when `store` is not a CachedStore (ms); default 1 s. */
  cachePollMs?: number;
  /** Unread bytes after which a watch stream is dropped as a slow consumer; default 1 MiB. */
  watchBufferBytes?: number;
  logger?: FastifyServerOptions['logger'] | Logger; // pino; tests pass false
  /** The controller in this process, when one runs: hint to reconcile now; readiness. */
  controller?: { enqueue(name: string): void; running(): boolean };
  /** Synthesizes every declared tier against its Target and runs the guardrails; stores nothing. */
  dryRun?: (environment: Environment, target: Target) => Promise<DryRunTier[]>;
  /** Speculative terraform plans (`terrace diff`), bounded in number and time by the planner. */
  planner?: Planner;
  /** prom-client registry to expose at /metrics; buildApp registers its HTTP metrics on it, the server the controller's. */
  registry?: Registry;
  /** sha256 hex of the admin token (from TERRACE_ADMIN_TOKEN or the generated one). */
  adminTokenHash?: string;
  rateLimit?: RateLimit; // per token
  /** Fastify's trustProxy: behind the ALB, client addresses come from X-Forwarded-For (rate limit, logs). */
  trustProxy?: boolean | string;
  /** How long a client may take to send a whole request, body included (ms); default 30 s. */
  requestTimeoutMs?: number;
  now?: () => Date;
  /** The built dashboard (dist/web/), served at `/`; the caller knows where the build put it. */
  webRoot?: URL;
}

const BODY_LIMIT = 1024 * 1024;
const KEEPALIVE_MS = 15_000;

/** Security headers for a JSON API: nothing may load, frame or submit anything. /docs relaxes this. */
const API_CSP = { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } };

/** The REST API, not listening: main.ts listens, tests use inject() or listen on port 0. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const store = CachedStore.over(deps.store, { pollMs: deps.cachePollMs });
  const now = deps.now ?? (() => new Date());
  const app = Fastify({
    ...loggerOptions(deps.logger),
    ...transportOptions(deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
    genReqId,
    bodyLimit: BODY_LIMIT,
    trustProxy: deps.trustProxy ?? false,
  });
  if (store !== deps.store) {
    app.addHook('onReady', async () => store.start());
    app.addHook('onClose', async () => store.stop());
  }
  registerJsonBody(app);
  closeWhenBodyUnread(app);
  app.setValidatorCompiler(typeBoxValidator);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const registry = deps.registry ?? new Registry();
  registerHttpMetrics(app, registry);

  await app.register(helmet, { contentSecurityPolicy: API_CSP, frameguard: { action: 'deny' } });
  await registerOpenApi(app);
  await app.register(docsRoutes);
  await app.register(healthRoutes, { store, controller: deps.controller, registry });
  await app.register(dashboardRoutes, { root: deps.webRoot });

  await app.register(async (v1) => {
    const auth = createAuth({ store, adminTokenHash: deps.adminTokenHash });
    v1.addHook('onRoute', auth.documentRoute);
    // Limits run first; authorization follows, before any body is read.
    await registerRateLimit(v1, deps.rateLimit ?? DEFAULT_RATE_LIMIT, auth.identify);
    v1.addHook('preParsing', async (request, _reply, payload) => {
      await auth.authorize(request);
      return payload;
    });
    await v1.register(targetRoutes, { store });
    await v1.register(environmentRoutes, { store, dryRun: deps.dryRun });
    await v1.register(watchRoutes, { store, keepaliveMs: KEEPALIVE_MS, maxBufferedBytes: deps.watchBufferBytes });
    await v1.register(planRoutes, { store, planner: deps.planner });
    await v1.register(operationRoutes, { store, controller: deps.controller, now });
    await v1.register(previewRoutes, { store, controller: deps.controller, now });
    await v1.register(tokenRoutes, { store, now });
    await v1.register(whoamiRoutes);
    await v1.register(watchAllRoutes, { store, keepaliveMs: KEEPALIVE_MS, maxBufferedBytes: deps.watchBufferBytes });
  }, { prefix: '/v1' });

  return app;
}
