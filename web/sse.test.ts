import { describe, expect, it } from 'vitest';
import { backoffMs, SseParser } from './sse.ts';

describe('SseParser', () => {
  it('yields whole messages only, across chunk boundaries, skipping keepalive comments', () => {
    const p = new SseParser();
    expect(p.push('event: environment\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\n\n: keepalive\n\nevent: synced\r\ndata: {}\r\n\r\ndata: x\ndata: y\n\n')).toEqual([
      { event: 'environment', data: '{"a":1}' },
      { event: 'synced', data: '{}' },
      { event: 'message', data: 'x\ny' },
    ]);
  });
});

describe('backoffMs', () => {
  it('doubles from 1 s to a 30 s cap, with at most 20% jitter', () => {
    expect([0, 1, 2, 5, 9].map((n) => backoffMs(n, () => 0))).toEqual([1000, 2000, 4000, 30_000, 30_000]);
    expect(backoffMs(0, () => 1)).toBe(1200);
  });
});
