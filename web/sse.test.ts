import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { backoffMs, follow, SseParser } from './sse.ts';

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

describe('follow', () => {
  it.each([404, 400])('stops at a %i and says so once, instead of retrying a stream that is not there', async (status) => {
    const paths: string[] = [];
    const server = createServer((req, res) => void (paths.push(req.url!), res.writeHead(status).end('{}')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const gone = vi.fn();
    const connection = vi.fn();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/environments/nope/watch`;
    const stop = follow({ url, token: () => 't', onMessage: () => {}, onGone: gone, onConnection: connection });
    await vi.waitFor(() => expect(gone).toHaveBeenCalledTimes(1), { timeout: 3000 });
    expect(connection).not.toHaveBeenCalled(); // no "reconnecting in 1 s": no retry is scheduled
    expect(paths).toEqual(['/v1/environments/nope/watch']);
    stop();
    await new Promise((resolve) => server.close(resolve));
  });
});
