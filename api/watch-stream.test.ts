import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { streamChanges, Watchers } from './watch-stream.ts';

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
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = pino({ enabled: false });

describe('streamChanges', () => {
  it('sends a keepalive comment every keepaliveMs between changes', async () => {
    const res = new FakeResponse();
    const watchers = new Watchers();
    streamChanges({ res: res as unknown as ServerResponse, load: async () => ({ ready: true }), pollMs: 10, keepaliveMs: 30, log }, watchers);
    await sleep(200);
    res.emit('close');
    expect(res.written[0]).toBe('event: status\ndata: {"ready":true}\n\n');
    expect(res.written.filter((w) => w === ': keepalive\n\n').length).toBeGreaterThanOrEqual(2);
    expect(res.written.filter((w) => w.startsWith('event:')).length).toBe(1);
  });

  it('leaves no timer behind: after the client goes, nothing polls or writes, and the watcher is forgotten', async () => {
    const res = new FakeResponse();
    const watchers = new Watchers();
    let loads = 0;
    streamChanges({ res: res as unknown as ServerResponse, load: async () => ({ n: ++loads }), pollMs: 5, keepaliveMs: 5, log }, watchers);
    await sleep(40);
    expect(watchers.size).toBe(1);
    res.emit('close');
    const [writes, polled] = [res.written.length, loads];
    await sleep(60);
    expect(res.written.length).toBe(writes);
    expect(loads).toBeLessThanOrEqual(polled + 1); // at most the poll already in flight
    expect(watchers.size).toBe(0);
    expect(res.ended).toBe(true);
  });

  it('keeps streaming through a failed poll', async () => {
    const res = new FakeResponse();
    const watchers = new Watchers();
    let calls = 0;
    const load = async () => {
      calls++;
      if (calls === 2) throw new Error('store hiccup');
      return { calls: calls >= 3 ? 3 : 1 };
    };
    streamChanges({ res: res as unknown as ServerResponse, load, pollMs: 5, keepaliveMs: 1000, log }, watchers);
    await sleep(60);
    watchers.closeAll();
    expect(res.written.filter((w) => w.startsWith('event: status')).length).toBe(2);
    expect(res.ended).toBe(true);
  });
});
