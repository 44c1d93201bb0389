import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Environment } from '../../specs/environment.ts';
import type { EnvironmentStatus } from '../../specs/status.ts';
import type { Store } from '../../specs/store/types.ts';
import type { Target } from '../../specs/target.ts';
import { parseEnvironment } from '../../specs/validate.ts';
import { clientFields } from '../admission.ts';
import { HttpProblem } from '../errors.ts';
import { assertNameMatches, requireTarget } from '../preconditions.ts';
import { NameParams, V1_PROBLEMS, problems } from '../schemas.ts';
import { documentValidator, type TypeBoxProvider } from '../typebox.ts';

// `POST /v1/environments/{name}/plan`: a speculative terraform plan of the body against what is applied
// (`terrace diff`). The answer is NDJSON, one line per event as it happens, so a caller sees each tier start and
// finish during a plan that takes minutes:
//   {"type":"tier","tier":"network","phase":"started"}
//   {"type":"tier","tier":"network","phase":"finished","plan":{add:[addresses],change,destroy,violations,...}}
//   {"type":"result","result":{environment,new,changes,allowed,failed,tiers}}   (last line; or {"type":"error"})
// Everything that can be refused is refused before the stream starts, as a problem document: the body (422 at
// its field, no terraform run), the URL name, the Target (422/404), and a full planner (503 with Retry-After).

/** The planner the server wires in (controller/speculative-plan.ts): api/ never runs terraform itself. */
export interface Planner {
  /** undefined when as many plans as allowed are running. */
  tryPlan(
    request: { environment: Environment; target: Target; current?: { status: EnvironmentStatus } },
    onProgress: (progress: { tier: string; phase: 'started' | 'finished'; plan?: unknown }) => void,
    signal?: AbortSignal,
  ): Promise<unknown> | undefined;
}

/** What a client is told to wait when every plan slot is taken: plans take tens of seconds. */
export const PLAN_RETRY_AFTER_S = 15;

export const planRoutes: FastifyPluginAsync<{ store: Store; planner?: Planner }> = async (plugin, { store, planner }) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();

  app.post('/environments/:name/plan', {
    config: { scope: 'write' },
    validatorCompiler: documentValidator(parseEnvironment),
    schema: {
      tags: ['environments'],
      summary: 'Plan a proposed Environment with terraform (state read-only, no lock, nothing kept); NDJSON progress, then the result',
      params: NameParams,
      body: Environment,
      response: {
        200: { description: 'application/x-ndjson: tier lines, then a result line', content: { 'application/x-ndjson': { schema: Type.String() } } },
        ...problems(...V1_PROBLEMS, 404, 422, 501, 503),
      },
    },
  }, async (request, reply) => {
    if (!planner) throw new HttpProblem(501, 'plans are not available in this server (no planner wired)');
    assertNameMatches(request.body, request.params.name);
    const environment = clientFields(request.body);
    const target = await requireTarget(store, environment.spec.target);
    const current = await store.get('Environment', environment.metadata.name);
    const cancel = new AbortController();
    const lines: string[] = [];
    let write = (line: string) => void lines.push(line);
    const running = planner.tryPlan(
      { environment, target, current: current ? { status: current.status } : undefined },
      (p) => write(`${JSON.stringify({ type: 'tier', ...p })}\n`),
      cancel.signal,
    );
    if (!running) {
      throw new HttpProblem(503, `every plan slot is taken (TERRACE_PLAN_CONCURRENCY); retry in ${PLAN_RETRY_AFTER_S} s`, { headers: { 'retry-after': String(PLAN_RETRY_AFTER_S) } });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    for (const line of lines) res.write(line);
    write = (line) => void res.write(line);
    // A caller that goes away stops the plan: its terraform processes are interrupted, the scratch dir removed.
    // One that left while the route read the store is gone already: its 'close' has fired, and will not again.
    res.on('close', () => cancel.abort());
    if (res.destroyed) cancel.abort();
    try {
      const result = await running;
      res.end(`${JSON.stringify({ type: 'result', result })}\n`);
    } catch (err) {
      request.log.error({ err }, 'plan failed');
      res.end(`${JSON.stringify({ type: 'error', message: `internal error; quote request id ${request.id} to the operator` })}\n`);
    }
  });
};
