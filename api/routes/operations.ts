import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { findCondition } from '../../specs/conditions.ts';
import { ANNOTATIONS } from '../../specs/meta.ts';
import type { StoredEnvironment } from '../../specs/store/types.ts';
import type { AppDeps } from '../app.ts';
import { HttpProblem } from '../errors.ts';
import { mutateEnvironment } from '../preconditions.ts';
import { EnvironmentResource, NameParams, V1_PROBLEMS, problems } from '../schemas.ts';
import type { TypeBoxProvider } from '../typebox.ts';
import { storedJson } from '../stored-json.ts';

const tags = ['operations'];
const accepted = (summary: string, extra: number[] = []) => ({
  tags, summary, params: NameParams, response: { 202: EnvironmentResource, ...problems(...V1_PROBLEMS, 404, 409, ...extra) },
});
const ApproveBody = Type.Object({ planId: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });

/** The tiers whose current plan waits for a manual approval, as `tier: planId`. */
function awaitingApproval(env: StoredEnvironment): { tier: string; planId: string }[] {
  return Object.entries(env.status.tiers)
    .filter(([, s]) => s.lastPlan && findCondition(s.conditions, 'Planned')?.reason === 'AwaitingApproval')
    .map(([tier, s]) => ({ tier, planId: s.lastPlan!.id }));
}

function annotate(env: StoredEnvironment, key: string, value: string) {
  return { ...env, metadata: { ...env.metadata, annotations: { ...env.metadata.annotations, [key]: value } } };
}

export const operationRoutes: FastifyPluginAsync<Pick<AppDeps, 'store' | 'controller'> & { now: () => Date }> = async (plugin, { store, controller, now }) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();
  const enqueue = (name: string) => controller?.enqueue(name);

  // Allowed while deleting: a nudge can retry a teardown that failed.
  app.post('/environments/:name/reconcile', { ...storedJson, config: { scope: 'operate' }, schema: accepted('Reconcile now') }, async (request, reply) => {
    const env = await mutateEnvironment(store, request.params.name, (e) => annotate(e, ANNOTATIONS.requestedAt, now().toISOString()), { allowDeleting: true });
    enqueue(env.metadata.name);
    return reply.code(202).send(env);
  });

  app.post('/environments/:name/verify', { ...storedJson, config: { scope: 'operate' }, schema: accepted('Run the checks of spec.verify now (the Verified condition)') }, async (request, reply) => {
    const env = await mutateEnvironment(store, request.params.name, (e) => {
      if (!e.spec.verify) throw new HttpProblem(409, `Environment ${e.metadata.name} has no spec.verify: add http or websocket checks to verify it`);
      return annotate(e, ANNOTATIONS.verifyRequestedAt, now().toISOString());
    });
    enqueue(env.metadata.name);
    return reply.code(202).send(env);
  });

  app.post('/environments/:name/approve', {
    ...storedJson,
    config: { scope: 'operate' },
    schema: { ...accepted('Approve the plan a tier waits on (spec.approval: manual)'), body: ApproveBody },
  }, async (request, reply) => {
    const { planId } = request.body;
    const env = await mutateEnvironment(store, request.params.name, (e) => {
      const waiting = awaitingApproval(e);
      if (!waiting.some((w) => w.planId === planId)) {
        const list = waiting.map((w) => `${w.tier}: ${w.planId}`).join(', ');
        throw new HttpProblem(409, `plan ${planId} is not awaiting approval (${list ? `awaiting: ${list}` : 'no plan is awaiting approval'})`);
      }
      // Several tiers can wait at once: keep the other approvals still pending, add this one.
      const approved = (e.metadata.annotations?.[ANNOTATIONS.approvePlan] ?? '').split(',').filter((id) => id !== planId && waiting.some((w) => w.planId === id));
      return annotate(e, ANNOTATIONS.approvePlan, [...approved, planId].join(','));
    });
    enqueue(env.metadata.name);
    return reply.code(202).send(env);
  });

  for (const [action, suspend] of [['suspend', true], ['resume', false]] as const) {
    app.post(`/environments/:name/${action}`, {
      ...storedJson,
      config: { scope: 'operate' },
      schema: accepted(suspend ? 'Suspend: stop reconciling (spec.suspend = true)' : 'Resume reconciling (spec.suspend = false)'),
    }, async (request, reply) => {
      const env = await mutateEnvironment(store, request.params.name, (e) => ({ ...e, spec: { ...e.spec, suspend } }));
      enqueue(env.metadata.name);
      return reply.code(202).send(env);
    });
  }
};
