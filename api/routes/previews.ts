import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Environment } from '../../specs/environment.ts';
import { Name } from '../../specs/meta.ts';
import { DEFAULT_PREVIEW_TTL, EXPIRES_AT_ANNOTATION, isPreview, MAX_PREVIEW_TTL_MS, parseTtl, PREVIEW_OF_LABEL, previewExpiry, previewOf } from '../../specs/preview.ts';
import { ConflictError, type Store, type StoredEnvironment } from '../../specs/store/types.ts';
import { freshOf } from '../../specs/store/cached-store.ts';
import { parseEnvironment } from '../../specs/validate.ts';
import type { AppDeps } from '../app.ts';
import { assertEnvironmentAdmitted, assertNotDeleting, assertPreviewAdmitted, keepServerAnnotations } from '../admission.ts';
import { HttpProblem } from '../errors.ts';
import { conflictStatus, etag, mutateEnvironment, requireEnvironment, requireTarget } from '../preconditions.ts';
import { EnvironmentResource, NameParams, V1_PROBLEMS, problems } from '../schemas.ts';
import type { TypeBoxProvider } from '../typebox.ts';
import { storedJson } from '../stored-json.ts';

// Preview environments (issue 17): created from a base Environment with cheap defaults, ended by their expiry.
// CI's write scope may create, update, extend and delete previews (and only previews): a preview is throwaway by
// design, while deleting any other environment still needs the operate scope (DELETE /environments/{name}).

const tags = ['previews'];
const Ttl = Type.String({ maxLength: 16, description: `how long it lives from now: 30m, 72h, 7d (at most 30d); default ${DEFAULT_PREVIEW_TTL}` });
const CreateBody = Type.Object(
  {
    name: Name,
    ttl: Type.Optional(Ttl),
    set: Type.Optional(Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 50, description: 'path=value changes to the preview spec, e.g. compute.services[0].image=ghcr.io/acme/app:pr-12' })),
    target: Type.Optional({ ...Name, description: 'another Target than the base environment\'s' }),
  },
  { additionalProperties: false },
);
const ExtendBody = Type.Object({ ttl: Ttl }, { additionalProperties: false });

function ttlMs(text: string): number {
  try {
    return parseTtl(text);
  } catch (err) {
    throw HttpProblem.invalid(422, [{ path: 'ttl', message: (err as Error).message }]);
  }
}

function requirePreview(env: StoredEnvironment): StoredEnvironment {
  if (!isPreview(env)) throw new HttpProblem(409, `Environment ${env.metadata.name} is not a preview (it has no ${EXPIRES_AT_ANNOTATION} annotation)`);
  return env;
}

/** Previews whose spec names `target`, deleting ones included (they hold resources until torn down). */
async function previewsOn(store: Store, target: string, except: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.list('Environment', { limit: 500, continue: token });
    names.push(...page.items.filter((e) => e.spec.target === target && isPreview(e) && e.metadata.name !== except).map((e) => e.metadata.name));
    token = page.continue;
  } while (token);
  return names;
}

/**
 * Runs `work` after every earlier call with the same key has ended. The cap is counted, then the preview written:
 * two creates interleaving between the two would both pass it (three concurrent creates on a Target capped at 1
 * all answered 201). This orders them within the process; a count after the write covers replicas sharing a table.
 */
function oneAtATime() {
  const tails = new Map<string, Promise<void>>();
  return async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const before = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = before.then(() => new Promise<void>((resolve) => (release = resolve)));
    tails.set(key, tail);
    await before;
    try {
      return await work();
    } finally {
      release();
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

const withExpiry = (doc: Environment, at: Date): Environment => ({
  ...doc, metadata: { ...doc.metadata, annotations: { ...doc.metadata.annotations, [EXPIRES_AT_ANNOTATION]: at.toISOString() } },
});

export const previewRoutes: FastifyPluginAsync<Pick<AppDeps, 'store' | 'controller'> & { now: () => Date }> = async (plugin, { store, controller, now }) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();
  const fresh = freshOf(store); // what the checks read (the cap above all); writes go through `store` (write-through)
  const perTarget = oneAtATime();

  app.post('/environments/:name/previews', {
    ...storedJson,
    config: { scope: 'write' },
    schema: {
      tags, summary: 'Create a preview of an Environment, or update it (CI on every push): its spec again from the base, its expiry ttl from now',
      params: NameParams, body: CreateBody,
      response: { 201: EnvironmentResource, 200: EnvironmentResource, ...problems(...V1_PROBLEMS, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const base = await requireEnvironment(fresh, request.params.name);
    if (isPreview(base)) throw new HttpProblem(409, `Environment ${base.metadata.name} is itself a preview: make previews of its base, ${base.metadata.labels?.[PREVIEW_OF_LABEL] ?? 'the environment it copies'}`);
    assertNotDeleting(base);
    const { name, set, target: otherTarget } = request.body;
    const expiresAt = new Date(now().getTime() + ttlMs(request.body.ttl ?? DEFAULT_PREVIEW_TTL));
    const preview = parseEnvironment(previewOf(base, { name, expiresAt, target: otherTarget, set }));
    const target = await requireTarget(fresh, preview.spec.target);
    const current = await fresh.get('Environment', name);
    if (!current) {
      const created = await perTarget(target.metadata.name, async () => {
        assertPreviewAdmitted(target, await previewsOn(fresh, target.metadata.name, name));
        const written = await store.create(preview).catch((err) => conflictStatus(err, undefined));
        // Counted again once written: a replica creating at the same time passed the same count. Whichever of
        // two racing creates lists last sees both and withdraws, so the cap holds (both may withdraw: CI retries).
        const others = await previewsOn(fresh, target.metadata.name, name);
        try {
          assertPreviewAdmitted(target, others);
        } catch (refused) {
          await store.markDeleted('Environment', name, { expectedResourceVersion: written.metadata.resourceVersion }).catch(() => undefined);
          controller?.enqueue(name); // to be removed now, not at the next resync
          throw refused;
        }
        return written;
      });
      controller?.enqueue(name);
      return reply.code(201).headers({ location: `/v1/environments/${name}`, etag: etag(created.metadata.resourceVersion) }).send(created);
    }
    if (current.metadata.labels?.[PREVIEW_OF_LABEL] !== base.metadata.name || !isPreview(current)) {
      throw new HttpProblem(409, `Environment ${name} exists and is not a preview of ${base.metadata.name}`);
    }
    // An operator's suspend stays; the rest follows the base as it is now, like a fresh preview.
    const next = { ...preview, spec: { ...preview.spec, suspend: current.spec.suspend } };
    assertEnvironmentAdmitted(current, next, request.principal?.scopes ?? []);
    const written = withExpiry(keepServerAnnotations(next, current), expiresAt);
    const saved = await store.update(written, { expectedResourceVersion: current.metadata.resourceVersion }).catch((err) => conflictStatus(err, undefined));
    controller?.enqueue(name);
    return reply.code(200).header('etag', etag(saved.metadata.resourceVersion)).send(saved);
  });

  app.post('/environments/:name/preview/extend', {
    ...storedJson,
    config: { scope: 'write' },
    schema: {
      tags, summary: 'Extend a preview: its expiry moves ttl later (from now, once it has passed)',
      params: NameParams, body: ExtendBody, response: { 200: EnvironmentResource, ...problems(...V1_PROBLEMS, 404, 409, 422) },
    },
  }, async (request) => {
    const added = ttlMs(request.body.ttl);
    return mutateEnvironment(store, request.params.name, (env) => {
      const from = Math.max(previewExpiry(requirePreview(env))?.getTime() ?? 0, now().getTime());
      const until = new Date(from + added);
      if (until.getTime() - now().getTime() > MAX_PREVIEW_TTL_MS) {
        throw HttpProblem.invalid(422, [{ path: 'ttl', message: `would expire ${until.toISOString()}, more than 30d from now` }]);
      }
      return withExpiry(env, until);
    });
  });

  app.delete('/environments/:name/preview', {
    ...storedJson,
    config: { scope: 'write' },
    schema: {
      tags, summary: 'Delete a preview now (only a preview: other environments need DELETE /environments/{name} and the operate scope)',
      params: NameParams, response: { 202: EnvironmentResource, ...problems(...V1_PROBLEMS, 404, 409) },
    },
  }, async (request, reply) => {
    // A compare-and-set on what was checked to be a preview; a write landing in between (CI's last push racing
    // the pull request's close) is read again rather than answered 409, which would leave the preview to its expiry.
    for (let attempt = 1; ; attempt++) {
      const env = requirePreview(await requireEnvironment(fresh, request.params.name));
      try {
        const marked = await store.markDeleted('Environment', env.metadata.name, { expectedResourceVersion: env.metadata.resourceVersion });
        controller?.enqueue(env.metadata.name);
        return reply.code(202).send(marked);
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 3) conflictStatus(err, undefined);
      }
    }
  });
};
