import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { stableStringify } from '../specs/store/stable-json.ts';

/** Bytes a watcher may leave unread (in this process and its socket) before it is dropped. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

export interface StreamOptions {
  res: ServerResponse;
  /** Reads the current value (from the read cache); undefined means the document is gone. */
  load: () => Promise<unknown | undefined>;
  /** Subscribes to "it may have changed" notices; returns the unsubscribe. */
  changes: (notify: () => void) => () => void;
  keepaliveMs: number;
  maxBufferedBytes?: number;
  log: FastifyBaseLogger;
  /** The keepalive timer; tests pass their own to move time by hand. */
  timers?: StreamTimers;
}

/** The timer calls a stream makes, so that a test can drive keepalives without waiting. */
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
 * Fans one source of change notices (the read cache's poller and this process's writes) out to the watchers
 * of each name: one subscription to the source however many streams are open, and a notice reaches only the
 * streams of its name.
 */
export class ChangeHub {
  private readonly byName = new Map<string, Set<() => void>>();
  /** Watchers of every name (the stream of all environments). */
  private readonly anyName = new Set<(name: string) => void>();
  private unsubscribe?: () => void;

  constructor(
    private readonly source: { subscribe(listener: (kind: string, name: string) => void): () => void },
    private readonly kind: string,
  ) {}

  get watchers(): number {
    let n = this.anyName.size;
    for (const set of this.byName.values()) n += set.size;
    return n;
  }

  watch(name: string, notify: () => void): () => void {
    this.subscribe();
    let set = this.byName.get(name);
    if (!set) this.byName.set(name, (set = new Set()));
    set.add(notify);
    return () => {
      set.delete(notify);
      if (set.size === 0) this.byName.delete(name);
      this.release();
    };
  }

  /** Told the name of every change of this kind. */
  watchAny(notify: (name: string) => void): () => void {
    this.subscribe();
    const own = (name: string) => notify(name); // one entry per call, even for the same function
    this.anyName.add(own);
    return () => {
      this.anyName.delete(own);
      this.release();
    };
  }

  private subscribe(): void {
    this.unsubscribe ??= this.source.subscribe((kind, changed) => {
      if (kind !== this.kind) return;
      for (const each of [...(this.byName.get(changed) ?? [])]) each();
      for (const each of [...this.anyName]) each(changed);
    });
  }

  private release(): void {
    if (this.byName.size > 0 || this.anyName.size > 0) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}

/**
 * Server-Sent Events of a value: the current value at once (`event: status`), then each change once (on a
 * notice, the value is read again and sent if it differs), a comment every keepaliveMs so proxies keep the
 * connection, `event: deleted` when it is gone. A client that leaves more than maxBufferedBytes unread is
 * dropped with `event: dropped` (reason SlowConsumer) instead of costing unbounded memory; it may reconnect.
 */
/**
 * Starts an event stream on a hijacked reply: the headers fastify set so far (helmet's, the request id) and those
 * that keep proxies from buffering or caching it.
 */
export function writeEventStreamHead(res: ServerResponse, headers: OutgoingHttpHeaders): void {
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
}

export function streamChanges(options: StreamOptions, watchers: Watchers): void {
  const { load, changes, log } = options;
  let last: string | undefined;
  let failing = false;
  let loading = false;
  let again = false;
  const stream = openEventStream(options, watchers);

  // One read at a time, in order: a notice during a read makes one more read after it.
  const refresh = async () => {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      do {
        again = false;
        try {
          const value = await load();
          if (stream.closed) return;
          if (value === undefined) return stream.stop('event: deleted\ndata: {}\n\n');
          const text = stableStringify(value);
          if (text !== last) {
            last = text;
            stream.send(`event: status\ndata: ${text}\n\n`);
          }
          failing = false;
        } catch (err) {
          // A store hiccup (the cache falls back to the store when stale): the next notice tries again.
          if (failing) log.debug({ err }, 'watch read failed again');
          else log.warn({ err }, 'watch read failed; retrying on the next change');
          failing = true;
        }
      } while (again && !stream.closed);
    } finally {
      loading = false;
    }
  };
  stream.onStop(changes(() => void refresh()));
  void refresh();
}

export interface EventStream {
  readonly closed: boolean;
  /** Writes an event; past maxBufferedBytes unread, ends the stream with `event: dropped` instead. */
  send(text: string): void;
  stop(final?: string): void;
  /** Runs once the stream ends (an unsubscribe). */
  onStop(fn: () => void): void;
}

/**
 * What every event stream shares: a keepalive comment every keepaliveMs (the only timer it holds), the
 * slow-consumer drop, an end on the client's close or at shutdown (watchers).
 */
export function openEventStream(
  options: Pick<StreamOptions, 'res' | 'keepaliveMs' | 'maxBufferedBytes' | 'log' | 'timers'>, watchers: Watchers,
): EventStream {
  const { res, keepaliveMs, log, timers = realTimers } = options;
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const cleanups: (() => void)[] = [];
  let closed = false;
  let grace: unknown;

  const keepalive = timers.setInterval(() => send(': keepalive\n\n'), keepaliveMs);
  const stop = (final?: string) => {
    if (closed) return;
    closed = true;
    timers.clearInterval(keepalive);
    for (const fn of cleanups.splice(0)) fn();
    watchers.delete(end);
    res.end(final);
    if (final && !res.writableFinished) {
      // A dropped reader may never read its backlog: its socket goes after one more keepalive period.
      grace = timers.setTimeout(() => res.destroy(), keepaliveMs);
      res.once('close', () => timers.clearTimeout(grace));
    }
  };
  function send(text: string): void {
    if (closed) return;
    res.write(text);
    if (res.writableLength > maxBuffered) {
      log.warn({ buffered: res.writableLength }, 'watch dropped: the client reads too slowly');
      const detail = { reason: 'SlowConsumer', message: `more than ${maxBuffered} bytes were waiting for this client to read; reconnect to resume` };
      stop(`event: dropped\ndata: ${JSON.stringify(detail)}\n\n`);
    }
  }
  const end = () => stop();
  watchers.add(end);
  res.on('close', end);
  return {
    get closed() {
      return closed;
    },
    send,
    stop,
    onStop(fn) {
      if (closed) fn();
      else cleanups.push(fn);
    },
  };
}
