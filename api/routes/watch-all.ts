import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { CachedStore } from '../../specs/store/cached-store.ts';
import { parseLabelSelector } from '../../specs/store/label-selector.ts';
import type { Store, StoredEnvironment } from '../../specs/store/types.ts';
import { readPage } from '../views.ts';
import { V1_PROBLEMS, problems } from '../schemas.ts';
import type { TypeBoxProvider } from '../typebox.ts';
import { ChangedNames, streamEnvironments } from '../watch-all-stream.ts';
import { ChangeHub, Watchers, writeEventStreamHead } from '../watch-stream.ts';

// One stream for every environment, so that a client following the whole estate (the dashboard) holds one
// connection, not one per environment (browsers allow six per origin over HTTP/1.1).

export interface WatchAllOptions {
  /** The read cache: its poller (and this process's writes) tell every stream of a change; streams read from it. */
  store: CachedStore;
  keepaliveMs: number;
  /** Unread bytes after which a client is dropped (default 1 MiB): a reader that stalls costs bounded memory. */
  maxBufferedBytes?: number;
}

const Query = Type.Object({
  labelSelector: Type.Optional(Type.String({ maxLength: 1024, description: '`app=chat,stage=prod`: only environments with every label' })),
}, { additionalProperties: false });

const PAGE = 100;

async function listAll(store: Store, labelSelector?: string): Promise<StoredEnvironment[]> {
  const all: StoredEnvironment[] = [];
  let next: string | undefined;
  do {
    const page = await readPage(() => store.list('Environment', { limit: PAGE, continue: next, labelSelector }));
    all.push(...page.items);
    next = page.continue;
  } while (next);
  return all;
}

export const watchAllRoutes: FastifyPluginAsync<WatchAllOptions> = async (plugin, { store, keepaliveMs, maxBufferedBytes }) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();
  const watchers = new Watchers();
  // One subscription to the cache for every stream: a stream lists once, then reads only what changed.
  const hub = new ChangeHub(store, 'Environment');
  app.addHook('preClose', async () => watchers.closeAll());

  app.get('/watch', {
    config: { scope: 'read' },
    exposeHeadRoute: false,
    schema: {
      tags: ['environments'],
      summary: 'Server-Sent Events of every Environment: `environment` (the document with its status) for each one now and '
        + 'on each change, `synced` once the first listing is sent, `deleted` (`{"name"}`) when one is gone, '
        + '`dropped` (then the end) when the client reads too slowly',
      querystring: Query,
      response: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: Type.String() } } }, ...problems(...V1_PROBLEMS) },
    },
  }, async (request, reply) => {
    const { labelSelector } = request.query;
    let gone = false;
    reply.raw.once('close', () => (gone = true));
    // Opened before the first listing, so that a change made while it is read is sent after it.
    const changed = new ChangedNames(hub);
    let first: StoredEnvironment[];
    try {
      // Before the stream opens: a bad selector is still a normal 400 problem.
      first = await listAll(store, labelSelector);
    } catch (err) {
      changed.close();
      throw err;
    }
    reply.hijack();
    // A client gone during the first listing never sees 'close' again: it must not stay subscribed.
    if (gone || reply.raw.destroyed) return changed.close();
    writeEventStreamHead(reply.raw, reply.getHeaders() as OutgoingHttpHeaders);
    const matches = parseLabelSelector(labelSelector);
    streamEnvironments({
      res: reply.raw, first, changed, keepaliveMs, maxBufferedBytes, log: request.log,
      load: (name) => store.get('Environment', name),
      matches: (env) => matches(env.metadata.labels),
    }, watchers);
  });
};
