import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Store, StoredEnvironment } from '../../specs/store/types.ts';
import { stableStringify } from '../../specs/store/stable-json.ts';
import { readPage } from '../views.ts';
import { V1_PROBLEMS, problems } from '../schemas.ts';
import type { TypeBoxProvider } from '../typebox.ts';
import { Watchers } from '../watch-stream.ts';

// One stream for every environment, so that a client following the whole estate (the dashboard) holds one
// connection, not one per environment (browsers allow six per origin over HTTP/1.1).

export interface WatchAllOptions {
  store: Store;
  pollMs: number;
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

export const watchAllRoutes: FastifyPluginAsync<WatchAllOptions> = async (plugin, { store, pollMs, keepaliveMs, maxBufferedBytes = 1024 * 1024 }) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();
  const watchers = new Watchers();
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
    // A client gone during the first listing never sees 'close' again: without this check its poll and
    // keepalive timers would run for the server's lifetime.
    let gone = false;
    reply.raw.once('close', () => (gone = true));
    // The first listing before the stream opens: a bad selector is still a normal 400 problem.
    const first = await listAll(store, labelSelector);
    reply.hijack();
    if (gone || reply.raw.destroyed) return;
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const sent = new Map<string, string>();
    let closed = false;
    let failing = false;
    let timer: NodeJS.Timeout | undefined;
    const keepalive = setInterval(() => send(': keepalive\n\n'), keepaliveMs);
    const stop = (final?: string) => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      clearInterval(keepalive);
      watchers.delete(end);
      res.end(final);
      // A dropped reader may never read its backlog: its socket goes after one more keepalive period.
      if (final && !res.writableFinished) {
        const grace = setTimeout(() => res.destroy(), keepaliveMs);
        res.once('close', () => clearTimeout(grace));
      }
    };
    const end = () => stop();
    function send(text: string): void {
      if (closed) return;
      res.write(text);
      if (res.writableLength <= maxBufferedBytes) return;
      request.log.warn({ buffered: res.writableLength }, 'watch dropped: the client reads too slowly');
      const detail = { reason: 'SlowConsumer', message: `more than ${maxBufferedBytes} bytes were waiting for this client to read; reconnect to resume` };
      stop(`event: dropped\ndata: ${JSON.stringify(detail)}\n\n`);
    }
    watchers.add(end);
    res.on('close', end);

    /** Sends what changed since the last listing: each changed document once, each vanished name once. */
    const publish = (items: StoredEnvironment[]) => {
      const seen = new Set<string>();
      for (const env of items) {
        const name = env.metadata.name;
        seen.add(name);
        const text = stableStringify(env);
        if (sent.get(name) !== text) {
          sent.set(name, text);
          send(`event: environment\ndata: ${text}\n\n`);
        }
      }
      for (const name of [...sent.keys()]) {
        if (seen.has(name)) continue;
        sent.delete(name);
        send(`event: deleted\ndata: ${JSON.stringify({ name })}\n\n`);
      }
    };
    const poll = async () => {
      try {
        const items = await listAll(store, labelSelector);
        if (closed) return;
        publish(items);
        failing = false;
      } catch (err) {
        if (failing) request.log.debug({ err }, 'watch poll failed again');
        else request.log.warn({ err }, 'watch poll failed; retrying every poll');
        failing = true;
      }
      if (!closed) timer = setTimeout(() => void poll(), pollMs);
    };
    publish(first);
    send(`event: synced\ndata: ${JSON.stringify({ count: first.length })}\n\n`);
    timer = setTimeout(() => void poll(), pollMs);
  });
};
