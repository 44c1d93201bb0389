import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Registry } from 'prom-client';
import type { AppDeps } from '../app.ts';
import { HttpProblem, STORE_RETRY_AFTER_S } from '../errors.ts';
import { problems } from '../schemas.ts';
import type { TypeBoxProvider } from '../typebox.ts';

const tags = ['health'];
const PING_TIMEOUT_MS = 2000;
const Ok = Type.Object({ status: Type.Literal('ok') });
const Ready = Type.Object({ status: Type.Literal('ready'), store: Type.Literal('ok'), controller: Type.Union([Type.Literal('running'), Type.Literal('absent')]) });

/** Rejects when `promise` takes longer than ms: a hung store must fail readiness, not hang the probe. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Unauthenticated probes and the Prometheus endpoint. */
export const healthRoutes: FastifyPluginAsync<Pick<AppDeps, 'store' | 'controller'> & { registry: Registry }> = async (plugin, { store, controller, registry }) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();

  app.get('/healthz', { schema: { tags, summary: 'The process is up', response: { 200: Ok } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    schema: { tags, summary: 'The store answers and the controller (when in this process) runs', response: { 200: Ready, ...problems(503) } },
  }, async (request) => {
    try {
      await within(store.ping(), PING_TIMEOUT_MS);
    } catch (err) {
      request.log.warn({ reason: (err as Error).message }, 'readiness: store unreachable');
      throw new HttpProblem(503, 'the store is unreachable', { headers: { 'retry-after': String(STORE_RETRY_AFTER_S) } });
    }
    if (controller && !controller.running()) throw new HttpProblem(503, 'the controller is not running');
    return { status: 'ready' as const, store: 'ok' as const, controller: controller ? ('running' as const) : ('absent' as const) };
  });

  app.get('/metrics', {
    schema: { tags, summary: 'Prometheus metrics', response: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: Type.String() } } } } },
  }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
};
