import type { ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** How long a client may take to send a whole request (headers and body): 1 MiB needs far less on any link. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const MAX_HEADERS_TIMEOUT_MS = 10_000;

/**
 * Fastify server options that bound how long a client may take to send its request. Node checks these timeouts
 * only every `connectionsCheckingInterval` (30 s by default), so the interval follows the timeout.
 */
export function transportOptions(requestTimeoutMs: number): { requestTimeout: number; http: ServerOptions } {
  const headersTimeout = Math.min(requestTimeoutMs, MAX_HEADERS_TIMEOUT_MS);
  const connectionsCheckingInterval = Math.max(50, Math.min(1000, Math.floor(requestTimeoutMs / 10)));
  return { requestTimeout: requestTimeoutMs, http: { requestTimeout: requestTimeoutMs, headersTimeout, connectionsCheckingInterval } };
}

/**
 * An answer sent before the request body was read (401/403 from the auth hook, 429, 503) closes the
 * connection: kept alive, Node would go on reading, and waiting for, a body nobody will use.
 */
export function closeWhenBodyUnread(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    // `complete` is false while the request's body is still arriving (undefined under inject()).
    if (request.raw.complete === false) reply.header('connection', 'close');
    return payload;
  });
}
