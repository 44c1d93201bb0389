import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { CachedStore } from '../../specs/store/cached-store.ts';
import { requireEnvironment } from '../preconditions.ts';
import { statusView } from '../views.ts';
import { NameParams, V1_PROBLEMS, problems } from '../schemas.ts';
import type { TypeBoxProvider } from '../typebox.ts';
import { ChangeHub, streamChanges, Watchers, writeEventStreamHead } from '../watch-stream.ts';

export interface WatchOptions {
  /** The read cache: its poller (and this process's writes) tell every stream of a change; streams read from it. */
  store: CachedStore;
  keepaliveMs: number;
  /** Unread bytes after which a stream is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
}

export const watchRoutes: FastifyPluginAsync<WatchOptions> = async (plugin, { store, keepaliveMs, maxBufferedBytes }) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();
  const watchers = new Watchers();
  // One subscription to the cache for every stream: no stream reads the store on a timer of its own.
  const hub = new ChangeHub(store, 'Environment');
  // preClose, not onClose: the HTTP server waits for open responses before onClose hooks run.
  app.addHook('preClose', async () => watchers.closeAll());

  app.get('/environments/:name/watch', {
    config: { scope: 'read' },
    exposeHeadRoute: false, // a HEAD would open a stream with no body to send
    schema: {
      tags: ['environments'],
      summary: 'Server-Sent Events: `status` now and on each change, `deleted` when the environment is gone, '
        + '`dropped` (then the end) when the client reads too slowly',
      params: NameParams,
      response: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: Type.String() } } }, ...problems(...V1_PROBLEMS, 404) },
    },
  }, async (request, reply) => {
    const { name } = request.params;
    await requireEnvironment(store, name); // a 404 is still a normal problem response
    reply.hijack();
    writeEventStreamHead(reply.raw, reply.getHeaders() as OutgoingHttpHeaders);
    const load = async () => {
      const env = await store.get('Environment', name);
      return env && statusView(env);
    };
    const changes = (notify: () => void) => hub.watch(name, notify);
    streamChanges({ res: reply.raw, load, changes, keepaliveMs, maxBufferedBytes, log: request.log }, watchers);
  });
};
