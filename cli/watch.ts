import type { Static } from '@sinclair/typebox';
import type { StatusView } from '../api/schemas.ts';
import { ApiError, pathOf, type Connection } from './client.ts';

export type Status = Static<typeof StatusView>;

/**
 * Follows `GET /v1/environments/{name}/watch` (Server-Sent Events) until a `status` event satisfies `done`,
 * and returns that status. Throws when the environment is deleted, the stream ends, or `signal` aborts.
 */
export async function followStatus(conn: Connection, name: string, done: (status: Status) => boolean, signal: AbortSignal): Promise<Status> {
  for await (const change of watchEnvironment(conn, name, signal)) {
    if (change.deleted) throw new Error(`environment/${name} was deleted`);
    if (done(change.status)) return change.status;
  }
  throw new Error(`the server ended the watch of environment/${name}`);
}

/**
 * The environment's status now and at each change, then `{deleted: true}` when it is gone; ends when the server
 * ends the stream. Breaking out of the loop closes the connection.
 */
export async function* watchEnvironment(conn: Connection, name: string, signal: AbortSignal): AsyncGenerator<{ deleted: false; status: Status } | { deleted: true }> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (conn.token) headers.authorization = `Bearer ${conn.token}`;
  const res = await fetch(`${conn.server}/v1${pathOf('Environment', name)}/watch`, { headers, signal });
  if (!res.ok || !res.body) {
    const detail = res.status === 404 ? `environment/${name} not found` : `watching environment/${name} failed: HTTP ${res.status}`;
    throw new ApiError(res.status, detail);
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
        const message = parseEvent(buffer.slice(0, at));
        buffer = buffer.slice(at + 2);
        if (message.event === 'deleted') {
          yield { deleted: true };
          return;
        }
        if (message.event === 'status' && message.data) yield { deleted: false, status: JSON.parse(message.data) as Status };
      }
    }
  } finally {
    await res.body.cancel().catch(() => undefined);
  }
}

/** One Server-Sent Events block: its `event:` name and `data:` lines (comments are keepalives). */
export function parseEvent(block: string): { event?: string; data?: string; comment?: string } {
  const message: { event?: string; data?: string; comment?: string } = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) message.comment = line.slice(1).trim();
    else if (line.startsWith('event:')) message.event = line.slice(6).trim();
    else if (line.startsWith('data:')) message.data = (message.data ? `${message.data}\n` : '') + line.slice(5).trimStart();
  }
  return message;
}
