import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { streamChanges, Watchers, type StreamTimers } from './watch-stream.ts';

/** Just enough of a ServerResponse: records writes, emits 'close' like a dropped client. */
class FakeResponse extends EventEmitter {
  readonly written: string[] = [];
  ended = false;
  write(text: string) {
    this.written.push(text);
    return true;
  }
  end() {
    this.ended = true;
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
  /** One poll period: the poll timer fires, and this resolves once that poll (its load and writes) is done. */
  async poll(pollMs: number) {
    this.advance(pollMs);
    await drained();
  }
}

type Settle = { resolve: (value: unknown) => void; reject: (err: Error) => void };
const log = pino({ enabled: false });
const POLL_MS = 10;

function start(load: () => Promise<unknown>, keepaliveMs = 1000) {
  const res = new FakeResponse();
  const watchers = new Watchers();
  const timers = new ManualTimers();
  streamChanges({ res: res as unknown as ServerResponse, load, pollMs: POLL_MS, keepaliveMs, log, timers }, watchers);
  return { res, watchers, timers };
}

describe('streamChanges', () => {
  it('sends the current value at once, then a keepalive comment every keepaliveMs while nothing changes', async () => {
    const { res, timers } = start(async () => ({ ready: true }), 30);
    await drained(); // the first poll, made at once
    expect(res.written).toEqual(['event: status\ndata: {"ready":true}\n\n']);
    for (let i = 0; i < 7; i++) await timers.poll(POLL_MS); // 70 ms: keepalives at 30 and 60
    expect(res.keepalives).toBe(2);
    expect(res.events).toHaveLength(1);
  });

  it('sends each change once, and `deleted` then ends when the value is gone', async () => {
    const values: unknown[] = [{ n: 1 }, { n: 1 }, { n: 2 }, { n: 2 }, { n: 1 }, undefined];
    const { res, watchers, timers } = start(async () => values.shift());
    await drained(); // the first poll, made at once
    for (let i = 0; i < 4; i++) await timers.poll(POLL_MS);
    expect(res.events).toEqual(['event: status\ndata: {"n":1}\n\n', 'event: status\ndata: {"n":2}\n\n', 'event: status\ndata: {"n":1}\n\n']);
    await timers.poll(POLL_MS); // reads undefined
    expect(res.ended).toBe(true);
    expect(res.written.at(-1)).toBe('event: deleted\ndata: {}\n\n');
    expect(timers.pending).toBe(0);
    expect(watchers.size).toBe(0);
  });

  it('leaves no timer behind: after the client goes, nothing polls or writes, and the watcher is forgotten', async () => {
    let loads = 0;
    const { res, watchers, timers } = start(async () => ({ n: ++loads }), 5);
    await drained(); // the first poll, made at once
    await timers.poll(POLL_MS);
    expect(watchers.size).toBe(1);
    expect(timers.pending).toBe(2); // the next poll and the keepalive

    res.emit('close');
    expect(timers.pending).toBe(0);
    expect(watchers.size).toBe(0);
    expect(res.ended).toBe(true);
    const writes = res.written.length;
    timers.advance(POLL_MS * 10);
    expect(res.written.length).toBe(writes);
    expect(loads).toBe(2);
  });

  it.each([
    ['ends', (settle: Settle) => settle.resolve({ late: true })],
    ['fails', (settle: Settle) => settle.reject(new Error('late hiccup'))],
  ])('a poll whose load %s after the client went writes nothing and sets no timer', async (_, end) => {
    let settle!: Settle;
    const { res, watchers, timers } = start(() => new Promise((resolve, reject) => (settle = { resolve, reject })));
    res.emit('close'); // while the first poll's load is still pending
    end(settle);
    await drained();
    expect(res.written).toEqual([]);
    expect(timers.pending).toBe(0);
    expect(watchers.size).toBe(0);
  });

  it('keeps streaming through failed polls, warning once per outage, and shutdown ends it', async () => {
    let calls = 0;
    const warnings: unknown[] = [];
    const load = async () => {
      calls++;
      if (calls === 2 || calls === 3) throw new Error('store hiccup');
      return { calls: calls >= 4 ? 4 : 1 };
    };
    const res = new FakeResponse();
    const watchers = new Watchers();
    const timers = new ManualTimers();
    const spy = { warn: (obj: unknown) => void warnings.push(obj), debug: () => undefined } as unknown as FastifyBaseLogger;
    streamChanges({ res: res as unknown as ServerResponse, load, pollMs: POLL_MS, keepaliveMs: 1000, log: spy, timers }, watchers);
    await drained();
    await timers.poll(POLL_MS); // fails
    await timers.poll(POLL_MS); // fails again: not warned again
    expect(warnings).toHaveLength(1);
    expect(timers.pending).toBe(2); // still polling
    await timers.poll(POLL_MS);
    expect(res.events).toEqual(['event: status\ndata: {"calls":1}\n\n', 'event: status\ndata: {"calls":4}\n\n']);

    watchers.closeAll();
    expect(res.ended).toBe(true);
    expect(timers.pending).toBe(0);
    expect(watchers.size).toBe(0);
  });
});
