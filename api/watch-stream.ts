import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { stableStringify } from '../specs/store/stable-json.ts';

export interface StreamOptions {
  res: ServerResponse;
  /** Reads the current value; undefined means the document is gone. */
  load: () => Promise<unknown | undefined>;
  pollMs: number;
  keepaliveMs: number;
  log: FastifyBaseLogger;
  /** The poll and keepalive timers; tests pass their own to move time by hand. */
  timers?: StreamTimers;
}

/** The four timer calls a stream makes, so that a test can drive polls and keepalives without waiting. */
export interface StreamTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimers: StreamTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout | undefined),
};

/** Open event streams, so that shutdown can end them (an open response would keep the server from closing). */
export class Watchers {
  private readonly active = new Set<() => void>();
  get size(): number {
    return this.active.size;
  }
  add(stop: () => void): void {
    this.active.add(stop);
  }
  delete(stop: () => void): void {
    this.active.delete(stop);
  }
  closeAll(): void {
    for (const stop of [...this.active]) stop();
  }
}

/**
 * Server-Sent Events of a polled value: the current value at once (`event: status`), then each change
 * once, a comment every keepaliveMs so proxies keep the connection, `event: deleted` when it is gone.
 * One timer chain per stream (the next poll starts after the last finished); the client going away stops it.
 */
export function streamChanges(options: StreamOptions, watchers: Watchers): void {
  const { res, load, pollMs, keepaliveMs, log, timers = realTimers } = options;
  let last: string | undefined;
  let timer: unknown;
  let closed = false;
  let failing = false;
  const send = (text: string) => void res.write(text);
  const keepalive = timers.setInterval(() => send(': keepalive\n\n'), keepaliveMs);

  const stop = () => {
    if (closed) return;
    closed = true;
    timers.clearTimeout(timer);
    timers.clearInterval(keepalive);
    watchers.delete(stop);
    res.end();
  };
  watchers.add(stop);
  res.on('close', stop);

  const poll = async () => {
    try {
      const value = await load();
      if (closed) return;
      if (value === undefined) {
        send('event: deleted\ndata: {}\n\n');
        return stop();
      }
      const text = stableStringify(value);
      if (text !== last) {
        last = text;
        send(`event: status\ndata: ${text}\n\n`);
      }
      failing = false;
    } catch (err) {
      // A store hiccup: keep the stream and try again on the next tick; an outage is logged once per stream.
      if (failing) log.debug({ err }, 'watch poll failed again');
      else log.warn({ err }, 'watch poll failed; retrying every poll');
      failing = true;
    }
    if (!closed) timer = timers.setTimeout(() => void poll(), pollMs);
  };
  void poll();
}
