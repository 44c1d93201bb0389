import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ChangeHub, streamChanges, Watchers, type StreamTimers } from './watch-stream.ts';

/** Just enough of a ServerResponse: records writes, emits 'close' like a dropped client. */
class FakeResponse extends EventEmitter {
  readonly written: string[] = [];
  ended = false;
  destroyed = false;
  writableFinished = true;
  /** Bytes the "client" has not read yet. */
  writableLength = 0;
  write(text: string) {
    this.written.push(text);
    return true;
  }
  end(text?: string) {
    if (text) this.written.push(text);
    this.ended = true;
  }
  destroy() {
    this.destroyed = true;
  }
  get events() {
    return this.written.filter((w) => w.startsWith('event:'));
  }
  get keepalives() {
    return this.written.filter((w) => w === ': keepalive\n\n').length;
  }
}

/** Resolves once every promise continuation already queued has run (setImmediate comes after them all). */
const drained = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Timers that move only when the test says so: polls and keepalives run at the test's `advance`. */
class ManualTimers implements StreamTimers {
  private now = 0;
  private nextId = 0;
  private readonly tasks = new Map<number, { at: number; fn: () => void; every?: number }>();

  // Properties, not methods: one schedule for both kinds, one clear for both.
  readonly setTimeout = (fn: () => void, ms: number) => this.schedule(fn, ms);
  readonly setInterval = (fn: () => void, ms: number) => this.schedule(fn, ms, ms);
  readonly clearTimeout = (handle: unknown) => void this.tasks.delete(handle as number);
  readonly clearInterval = this.clearTimeout;
  private schedule(fn: () => void, ms: number, every?: number): number {
    const id = ++this.nextId;
    this.tasks.set(id, { at: this.now + ms, fn, every });
    return id;
  }
  get pending(): number {
    return this.tasks.size;
  }
  /** Moves time forward by ms, running each timer that falls due, earliest first. */
  advance(ms: number) {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.tasks].filter(([, t]) => t.at <= until).sort(([a, x], [b, y]) => x.at - y.at || a - b)[0];
      if (!due) break;
      const [id, task] = due;
      this.now = task.at;
      if (task.every) task.at += task.every;
      else this.tasks.delete(id);
      task.fn();
    }
    this.now = until;
  }
}

type Settle = { resolve: (value: unknown) => void; reject: (err: Error) => void };
const log = pino({ enabled: false });

/** A source of change notices as the read cache is one: `change()` tells every listener. */
function notices() {
  const listeners = new Set<() => void>();
  return {
    changes: (notify: () => void) => (listeners.add(notify), () => void listeners.delete(notify)),
    change: () => [...listeners].forEach((l) => l()),
    get listeners() {
      return listeners.size;
    },
  };
}

function start(load: () => Promise<unknown>, options: { keepaliveMs?: number; maxBufferedBytes?: number; log?: FastifyBaseLogger } = {}) {
  const res = new FakeResponse();
  const watchers = new Watchers();
  const timers = new ManualTimers();
  const source = notices();
  streamChanges({ res: res as unknown as ServerResponse, load, changes: source.changes, keepaliveMs: options.keepaliveMs ?? 1000, maxBufferedBytes: options.maxBufferedBytes, log: options.log ?? log, timers }, watchers);
  return { res, watchers, timers, source };
}

describe('streamChanges', () => {
  it('sends the current value at once, then a keepalive comment every keepaliveMs while nothing changes', async () => {
    const { res, timers } = start(async () => ({ ready: true }), { keepaliveMs: 30 });
    await drained();
    expect(res.written).toEqual(['event: status\ndata: {"ready":true}\n\n']);
    timers.advance(70);
    expect(res.keepalives).toBe(2);
    expect(res.events).toHaveLength(1);
  });

  it('reads again on each notice and sends each change once; `deleted` then the end when the value is gone', async () => {
    const values: unknown[] = [{ n: 1 }, { n: 1 }, { n: 2 }, { n: 2 }, { n: 1 }, undefined];
    const { res, watchers, timers, source } = start(async () => values.shift());
    await drained();
    for (let i = 0; i < 4; i++) (source.change(), await drained());
    expect(res.events).toEqual(['event: status\ndata: {"n":1}\n\n', 'event: status\ndata: {"n":2}\n\n', 'event: status\ndata: {"n":1}\n\n']);
    source.change();
    await drained();
    expect(res.ended).toBe(true);
    expect(res.written.at(-1)).toBe('event: deleted\ndata: {}\n\n');
    expect(timers.pending).toBe(0);
    expect(watchers.size).toBe(0);
    expect(source.listeners).toBe(0);
  });

  it('one read at a time: notices during a read make one more read after it, in order', async () => {
    let n = 0;
    const pending: Settle[] = [];
    const { res, source } = start(() => new Promise((resolve, reject) => pending.push({ resolve, reject })));
    for (let i = 0; i < 5; i++) source.change(); // while the first read is pending
    expect(pending).toHaveLength(1);
    pending.shift()!.resolve({ n: ++n });
    await drained();
    expect(pending).toHaveLength(1); // the five notices made one read
    pending.shift()!.resolve({ n: ++n });
    await drained();
    expect(pending).toHaveLength(0);
    expect(res.events).toEqual(['event: status\ndata: {"n":1}\n\n', 'event: status\ndata: {"n":2}\n\n']);
  });

  it('leaves nothing behind when the client goes: no timer, no subscription, no watcher', async () => {
    let loads = 0;
    const { res, watchers, timers, source } = start(async () => ({ n: ++loads }), { keepaliveMs: 5 });
    await drained();
    expect(watchers.size).toBe(1);
    expect(source.listeners).toBe(1);
    expect(timers.pending).toBe(1); // the keepalive
    res.emit('close');
    expect(timers.pending).toBe(0);
    expect(watchers.size).toBe(0);
    expect(source.listeners).toBe(0);
    expect(res.ended).toBe(true);
    const writes = res.written.length;
    source.change();
    timers.advance(100);
    await drained();
    expect(res.written.length).toBe(writes);
    expect(loads).toBe(1);
  });

  it.each([
    ['ends', (settle: Settle) => settle.resolve({ late: true })],
    ['fails', (settle: Settle) => settle.reject(new Error('late hiccup'))],
  ])('a read that %s after the client went writes nothing', async (_, end) => {
    let settle!: Settle;
    const { res, watchers, timers } = start(() => new Promise((resolve, reject) => (settle = { resolve, reject })));
    res.emit('close'); // while the first read is still pending
    end(settle);
    await drained();
    expect(res.written).toEqual([]);
    expect(timers.pending).toBe(0);
    expect(watchers.size).toBe(0);
  });

  it('keeps streaming through failed reads, warning once per outage, and shutdown ends it', async () => {
    let calls = 0;
    const warnings: unknown[] = [];
    const spy = { warn: (obj: unknown) => void warnings.push(obj), debug: () => undefined } as unknown as FastifyBaseLogger;
    const { res, watchers, timers, source } = start(async () => {
      calls++;
      if (calls === 2 || calls === 3) throw new Error('store hiccup');
      return { calls: calls >= 4 ? 4 : 1 };
    }, { log: spy });
    await drained();
    for (let i = 0; i < 3; i++) (source.change(), await drained());
    expect(warnings).toHaveLength(1);
    expect(res.events).toEqual(['event: status\ndata: {"calls":1}\n\n', 'event: status\ndata: {"calls":4}\n\n']);
    watchers.closeAll();
    expect(res.ended).toBe(true);
    expect(timers.pending).toBe(0);
    expect(watchers.size).toBe(0);
  });

  it('drops a client that leaves more than maxBufferedBytes unread, with `dropped` and then the end', async () => {
    let n = 0;
    const { res, watchers, timers, source } = start(async () => ({ n: ++n }), { maxBufferedBytes: 100, keepaliveMs: 50 });
    await drained();
    res.writableLength = 101; // the client stopped reading
    res.writableFinished = false;
    source.change();
    await drained();
    expect(res.ended).toBe(true);
    expect(res.written.at(-1)).toMatch(/^event: dropped\ndata: \{"reason":"SlowConsumer",/);
    expect(watchers.size).toBe(0);
    expect(source.listeners).toBe(0);
    // Its backlog is not kept forever: the socket goes after one more keepalive period.
    timers.advance(50);
    expect(res.destroyed).toBe(true);
  });
});

describe('ChangeHub', () => {
  it('holds one subscription to the source however many watch, and tells only the watchers of the name', () => {
    const listeners = new Set<(kind: string, name: string) => void>();
    const source = { subscribe: (l: (kind: string, name: string) => void) => (listeners.add(l), () => void listeners.delete(l)) };
    const hub = new ChangeHub(source, 'Environment');
    const heard: string[] = [];
    const stops = Array.from({ length: 50 }, (_, i) => hub.watch(i % 2 ? 'odd' : 'even', () => heard.push(`${i}`)));
    expect(listeners.size).toBe(1);
    expect(hub.watchers).toBe(50);
    for (const l of listeners) l('Environment', 'odd');
    expect(heard).toHaveLength(25);
    for (const l of listeners) l('Target', 'odd');
    expect(heard).toHaveLength(25);
    for (const stop of stops) stop();
    expect(listeners.size).toBe(0);
  });
});
