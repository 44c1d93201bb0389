import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Environment } from '../../specs/environment.ts';
import type { Target } from '../../specs/target.ts';
import { parseEnvironment } from '../../specs/validate.ts';
import type { AppDeps } from '../app.ts';
import { HttpProblem } from '../errors.ts';
import { assertEnvironmentAdmitted, clientFields, keepServerAnnotations } from '../admission.ts';
import { freshOf } from '../../specs/store/cached-store.ts';
import { pageJson } from '../json-memo.ts';
import { readStore } from '../reads.ts';
import { assertIfMatch, assertNameMatches, conflictStatus, etag, requireEnvironment, requireTarget } from '../preconditions.ts';
import {
  DryRunQuery, DryRunResult, EnvironmentResource, EventSchema, FreshQuery, IfMatchHeaders, ListQuery, NameParams, PageOf, PageQuery, StatusView, V1_PROBLEMS, problems,
} from '../schemas.ts';
import { documentValidator, type TypeBoxProvider } from '../typebox.ts';
import { listDocuments, readPage, statusView } from '../views.ts';
import { storedJson } from '../stored-json.ts';

const tags = ['environments'];
// The stored document or a dry run's result: fast-json-stringify picks the branch the value validates against.
const Written = Type.Union([DryRunResult, EnvironmentResource]);

export const environmentRoutes: FastifyPluginAsync<Pick<AppDeps, 'store' | 'dryRun'>> = async (plugin, { store, dryRun }) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();
  const fresh = freshOf(store); // what writes are checked against; writes themselves go through `store` (write-through)

  /** Guardrails only: synthesizes against the Target and reports violations; the store is not touched. */
  async function dryRunOf(doc: Environment, target: Target) {
    if (!dryRun) throw new HttpProblem(501, 'dry runs are not available in this server (no synthesizer wired)');
    const tiers = await dryRun(doc, target);
    return { tiers, allowed: tiers.every((t) => t.violations.length === 0) };
  }

  app.post('/environments', {
    ...storedJson,
    config: { scope: 'write' },
    validatorCompiler: documentValidator(parseEnvironment),
    schema: {
      tags, summary: 'Create an Environment', querystring: DryRunQuery, body: Environment,
      response: { 201: EnvironmentResource, 200: DryRunResult, ...problems(...V1_PROBLEMS, 409, 422, 501) },
    },
  }, async (request, reply) => {
    const doc = keepServerAnnotations(clientFields(request.body), undefined);
    const target = await requireTarget(store, doc.spec.target);
    if (request.query.dryRun) {
      if (await fresh.get('Environment', doc.metadata.name)) throw new HttpProblem(409, `Environment ${doc.metadata.name} already exists`);
      return dryRunOf(doc, target);
    }
    const created = await store.create(doc);
    return reply.code(201).headers({ location: `/v1/environments/${doc.metadata.name}`, etag: etag(created.metadata.resourceVersion) }).send(created);
  });

  app.put('/environments/:name', {
    ...storedJson,
    config: { scope: 'write' },
    validatorCompiler: documentValidator(parseEnvironment),
    schema: {
      tags, summary: 'Create or update an Environment (an identical spec changes nothing)',
      params: NameParams, querystring: DryRunQuery, headers: IfMatchHeaders, body: Environment,
      response: { 200: Written, 201: EnvironmentResource, ...problems(...V1_PROBLEMS, 409, 412, 422, 501) },
    },
  }, async (request, reply) => {
    assertNameMatches(request.body, request.params.name);
    const doc = clientFields(request.body);
    const ifMatch = request.headers['if-match'];
    const target = await requireTarget(store, doc.spec.target);
    const current = await fresh.get('Environment', doc.metadata.name);
    const expectedResourceVersion = assertIfMatch(ifMatch, current);
    assertEnvironmentAdmitted(current, doc, request.principal?.scopes ?? []);
    if (request.query.dryRun) return dryRunOf(doc, target);
    const written = keepServerAnnotations(doc, current);
    const saved = await (current ? store.update(written, { expectedResourceVersion }) : store.create(written)).catch((err) => conflictStatus(err, ifMatch));
    return reply.code(current ? 200 : 201).header('etag', etag(saved.metadata.resourceVersion)).send(saved);
  });

  app.get('/environments', {
    ...storedJson,
    config: { scope: 'read' },
    schema: { tags, summary: 'List Environments', querystring: ListQuery, response: { 200: PageOf(EnvironmentResource), ...problems(...V1_PROBLEMS) } },
  }, async (request, reply) => {
    const page = await listDocuments(readStore(store, request.query, reply), 'Environment', request.query);
    // Each item as stored, as GET of one answers (storedJson), its text kept per cached document.
    return reply.type('application/json; charset=utf-8').send(pageJson(page) as unknown as typeof page); // a string: sent as it is
  });

  app.get('/environments/:name', {
    ...storedJson,
    config: { scope: 'read' },
    schema: { tags, summary: 'Read an Environment with its status', params: NameParams, querystring: FreshQuery, response: { 200: EnvironmentResource, ...problems(...V1_PROBLEMS, 404) } },
  }, async (request, reply) => {
    const env = await requireEnvironment(readStore(store, request.query, reply), request.params.name);
    return reply.header('etag', etag(env.metadata.resourceVersion)).send(env);
  });

  // Deleting destroys every tier's infrastructure: the operate scope, not CI's write.
  app.delete('/environments/:name', {
    ...storedJson,
    config: { scope: 'operate' },
    schema: {
      tags, summary: 'Delete an Environment: the controller destroys its tiers, then removes it',
      params: NameParams, headers: IfMatchHeaders, response: { 202: EnvironmentResource, ...problems(...V1_PROBLEMS, 404, 412) },
    },
  }, async (request, reply) => {
    const ifMatch = request.headers['if-match'];
    const current = await requireEnvironment(fresh, request.params.name);
    const expectedResourceVersion = assertIfMatch(ifMatch, current);
    const marked = await store.markDeleted('Environment', current.metadata.name, { expectedResourceVersion }).catch((err) => conflictStatus(err, ifMatch));
    return reply.code(202).send(marked);
  });

  app.get('/environments/:name/status', {
    config: { scope: 'read' },
    schema: { tags, summary: 'The status of an Environment', params: NameParams, querystring: FreshQuery, response: { 200: StatusView, ...problems(...V1_PROBLEMS, 404) } },
  }, async (request, reply) => statusView(await requireEnvironment(readStore(store, request.query, reply), request.params.name)));

  app.get('/environments/:name/events', {
    config: { scope: 'read' },
    schema: {
      tags, summary: 'Run history, newest first', params: NameParams, querystring: PageQuery,
      response: { 200: PageOf(EventSchema), ...problems(...V1_PROBLEMS, 404) },
    },
  }, async (request) => {
    await requireEnvironment(store, request.params.name);
    return readPage(() => store.listEvents(request.params.name, request.query));
  });
};

