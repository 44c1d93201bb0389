import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../../specs/store/types.ts';
import { Target } from '../../specs/target.ts';
import { parseTarget } from '../../specs/validate.ts';
import { assertTargetAdmitted, assertTargetDeletable, clientFields } from '../admission.ts';
import { notFound } from '../errors.ts';
import { freshOf } from '../../specs/store/cached-store.ts';
import { readStore } from '../reads.ts';
import { assertIfMatch, assertNameMatches, conflictStatus, environmentsUsing, etag } from '../preconditions.ts';
import { DryRunQuery, FreshQuery, IfMatchHeaders, ListQuery, NameParams, PageOf, TargetResource, V1_PROBLEMS, problems } from '../schemas.ts';
import { documentValidator, type TypeBoxProvider } from '../typebox.ts';
import { listDocuments } from '../views.ts';
import { storedJson } from '../stored-json.ts';

const tags = ['targets'];

export const targetRoutes: FastifyPluginAsync<{ store: Store }> = async (plugin, { store }) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();
  const fresh = freshOf(store); // what writes are checked against; writes themselves go through `store`

  app.put('/targets/:name', {
    ...storedJson,
    config: { scope: 'write' },
    validatorCompiler: documentValidator(parseTarget),
    schema: {
      tags, summary: 'Create or update a Target (dryRun: validate only, store nothing)', params: NameParams, querystring: DryRunQuery, headers: IfMatchHeaders, body: Target,
      response: { 200: TargetResource, 201: TargetResource, ...problems(...V1_PROBLEMS, 409, 412, 422) },
    },
  }, async (request, reply) => {
    assertNameMatches(request.body, request.params.name);
    const ifMatch = request.headers['if-match'];
    const current = await fresh.get('Target', request.params.name);
    const expectedResourceVersion = assertIfMatch(ifMatch, current);
    const doc = clientFields(request.body);
    assertTargetAdmitted(current, doc, current ? await environmentsUsing(store, current.metadata.name) : [], request.principal?.scopes ?? []);
    // The document as validated and defaulted, on the metadata it would keep; a dry run has no server fields to set.
    if (request.query.dryRun) return { ...doc, metadata: { ...current?.metadata, ...doc.metadata } };
    const saved = await (current ? store.update(doc, { expectedResourceVersion }) : store.create(doc)).catch((err) => conflictStatus(err, ifMatch));
    return reply.code(current ? 200 : 201).header('etag', etag(saved.metadata.resourceVersion)).send(saved);
  });

  app.get('/targets', {
    ...storedJson,
    config: { scope: 'read' },
    schema: { tags, summary: 'List Targets', querystring: ListQuery, response: { 200: PageOf(TargetResource), ...problems(...V1_PROBLEMS) } },
  }, async (request, reply) => listDocuments(readStore(store, request.query, reply), 'Target', request.query));

  app.get('/targets/:name', {
    ...storedJson,
    config: { scope: 'read' },
    schema: { tags, summary: 'Read a Target', params: NameParams, querystring: FreshQuery, response: { 200: TargetResource, ...problems(...V1_PROBLEMS, 404) } },
  }, async (request, reply) => {
    const target = await readStore(store, request.query, reply).get('Target', request.params.name);
    if (!target) throw notFound(`Target ${request.params.name}`);
    return reply.header('etag', etag(target.metadata.resourceVersion)).send(target);
  });

  app.delete('/targets/:name', {
    ...storedJson,
    config: { scope: 'operate' },
    schema: {
      tags, summary: 'Delete a Target no environment uses', params: NameParams,
      response: { 200: TargetResource, ...problems(...V1_PROBLEMS, 404, 409) },
    },
  }, async (request) => {
    const { name } = request.params;
    const target = await fresh.get('Target', name);
    if (!target) throw notFound(`Target ${name}`);
    assertTargetDeletable(target, await environmentsUsing(store, name));
    await store.remove('Target', name);
    return target;
  });
};
