import { parseEvent } from '../../cli/watch.ts';

/** One Server-Sent Events block: `event:` and `data:` fields, or a `:` comment. */
export interface SseMessage {
  event?: string;
  data?: string;
  comment?: string;
}

/**
 * Reads an SSE body block by block. `next(ms)` resolves to the next message, `'timeout'` when none
 * arrives in time, or `'end'` when the server closed the stream. The time is a bound for a message
 * expected to come (a test fails on `'timeout'`), not a way to show that none comes: for that, wait on
 * what proves the server had its chance, then check that the next message is the expected one.
 * One read is kept pending across timeouts, so no chunk is ever lost.
 */
export function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;

  async function next(timeoutMs = 5000): Promise<SseMessage | 'timeout' | 'end'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = buffer.indexOf('\n\n');
      if (at >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        return parseEvent(block);
      }
      pending ??= reader.read();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))));
      const result = await Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
      if (result === 'timeout') return 'timeout';
      pending = undefined;
      if (result.done) return 'end';
      buffer += decoder.decode(result.value, { stream: true });
    }
  }

  return { next, cancel: () => reader.cancel().catch(() => undefined) };
}

/** A status as the watch stream sends it, with what the followers below read. */
export interface WatchedStatus {
  generation: number;
  observedGeneration?: number;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  [field: string]: any;
}

/** Ready, at the generation the status carries (not an older spec's Ready). */
export const readyAtGeneration = (s: WatchedStatus) => s.observedGeneration === s.generation && s.conditions.some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * Follows an environment's watch stream (`open` answers GET .../watch) until `done(status)`, and answers that
 * status; a bound fails the test with the last status seen.
 */
export async function followStatus(open: () => Promise<Response>, name: string, done: (s: WatchedStatus) => boolean, timeoutMs: number): Promise<WatchedStatus> {
  const res = await open();
  if (res.status !== 200) throw new Error(`${name}: watch answered ${res.status}`);
  const events = sseReader(res.body!);
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  try {
    for (;;) {
      const m = await events.next(deadline - Date.now());
      if (m === 'timeout' || m === 'end') throw new Error(`${name}: condition not met within ${timeoutMs} ms (${m}); last status: ${last}`);
      if (m.event !== 'status') continue;
      last = m.data;
      const status = JSON.parse(m.data!) as WatchedStatus;
      if (done(status)) return status;
    }
  } finally {
    await events.cancel();
  }
}
