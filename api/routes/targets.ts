import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../../specs/store/types.ts';
import { Target } from '../../specs/target.ts';
import { parseTarget } from '../../specs/validate.ts';
import { HttpProblem, notFound } from '../errors.ts';
import { clientFields, conflictStatus, etag, listDocuments, nameMatches, precondition } from '../resources.ts';
import { DryRunQuery, IfMatchHeaders, ListQuery, NameParams, PageOf, TargetResource, V1_PROBLEMS, problems } from '../schemas.ts';
import { documentValidator, type TypeBoxProvider } from '../typebox.ts';

const tags = ['targets'];

export const targetRoutes: FastifyPluginAsync<{ store: Store }> = async (plugin, { store }) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();

  app.put('/targets/:name', {
    config: { scope: 'write' },
    validatorCompiler: documentValidator(parseTarget),
    schema: {
      tags, summary: 'Create or update a Target (dryRun: validate only, store nothing)', params: NameParams, querystring: DryRunQuery, headers: IfMatchHeaders, body: Target,
      response: { 200: TargetResource, 201: TargetResource, ...problems(...V1_PROBLEMS, 409, 412, 422) },
    },
  }, async (request, reply) => {
    nameMatches(request.body, request.params.name);
    const ifMatch = request.headers['if-match'];
    const current = await store.get('Target', request.params.name);
    const expectedResourceVersion = precondition(ifMatch, current);
    const doc = clientFields(request.body);
    // The document as validated and defaulted, on the metadata it would keep; a dry run has no server fields to set.
    if (request.query.dryRun) return reply.serializer(JSON.stringify).send({ ...doc, metadata: { ...current?.metadata, ...doc.metadata } });
    const saved = await (current ? store.update(doc, { expectedResourceVersion }) : store.create(doc)).catch((err) => conflictStatus(err, ifMatch));
    return reply.code(current ? 200 : 201).header('etag', etag(saved.metadata.resourceVersion)).send(saved);
  });

  app.get('/targets', {
    config: { scope: 'read' },
    schema: { tags, summary: 'List Targets', querystring: ListQuery, response: { 200: PageOf(TargetResource), ...problems(...V1_PROBLEMS) } },
  }, async (request) => listDocuments(store, 'Target', request.query));

  app.get('/targets/:name', {
    config: { scope: 'read' },
    schema: { tags, summary: 'Read a Target', params: NameParams, response: { 200: TargetResource, ...problems(...V1_PROBLEMS, 404) } },
  }, async (request, reply) => {
    const target = await store.get('Target', request.params.name);
    if (!target) throw notFound(`Target ${request.params.name}`);
    return reply.header('etag', etag(target.metadata.resourceVersion)).send(target);
  });

  app.delete('/targets/:name', {
    config: { scope: 'write' },
    schema: {
      tags, summary: 'Delete a Target no environment uses', params: NameParams,
      response: { 200: TargetResource, ...problems(...V1_PROBLEMS, 404, 409) },
    },
  }, async (request) => {
    const { name } = request.params;
    const target = await store.get('Target', name);
    if (!target) throw notFound(`Target ${name}`);
    const users = await environmentsUsing(store, name);
    if (users.length > 0) throw new HttpProblem(409, `Target ${name} is used by ${users.slice(0, 5).join(', ')}${users.length > 5 ? ` and ${users.length - 5} more` : ''}`);
    await store.remove('Target', name);
    return target;
  });
};

/** Names of the environments whose spec names this target, deleting ones included (they still need it to tear down). */
async function environmentsUsing(store: Store, target: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.list('Environment', { limit: 500, continue: token });
    names.push(...page.items.filter((e) => e.spec.target === target).map((e) => e.metadata.name));
    token = page.continue;
  } while (token);
  return names;
}

