import { describe, expect, it } from 'vitest';
import { ExponentialBackoff } from './backoff.ts';
import type { Clock } from './clock.ts';
import { MAX_TIMER_MS, WorkQueue } from './queue.ts';

/** A clock that moves only when told to, firing due timers in order. */
function manualClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++nextId;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at);
    timers = timers.filter((t) => t.at > now);
    due.forEach((t) => t.fn());
  };
  return { clock, advance };
}

describe('WorkQueue', () => {
  it('merges duplicate adds', async () => {
    const q = new WorkQueue(manualClock().clock);
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.depth).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands out a key being processed; a re-add comes back after done', async () => {
    const q = new WorkQueue(manualClock().clock);
    q.add('a');
    const key = await q.get();
    q.add('a');
    expect(q.depth).toBe(0);
    expect(q.isProcessing('a')).toBe(true);
    q.done(key!);
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const q = new WorkQueue(manualClock().clock);
    const waiting = q.get();
    q.add('a');
    expect(await waiting).toBe('a');
  });

  it('adds after a delay, keeping the earliest of two delays', () => {
    const { clock, advance } = manualClock();
    const q = new WorkQueue(clock);
    q.addAfter('a', 10_000);
    q.addAfter('a', 2_000);
    advance(1_999);
    expect(q.depth).toBe(0);
    advance(1);
    expect(q.depth).toBe(1);
    advance(10_000);
    expect(q.depth).toBe(1);
  });

  it('backs off per key, doubling to the cap, and forgets on success', () => {
    const { clock } = manualClock();
    const q = new WorkQueue(clock, new ExponentialBackoff(1_000, 300_000));
    const delays = Array.from({ length: 11 }, () => q.addRateLimited('a'));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000]);
    expect(q.addRateLimited('b')).toBe(1_000);
    q.forget('a');
    expect(q.addRateLimited('a')).toBe(1_000);
  });

  it('releases waiting workers on shutdown and ignores later adds', async () => {
    const q = new WorkQueue(manualClock().clock);
    const waiting = q.get();
    q.shutdown();
    expect(await waiting).toBeUndefined();
    q.add('a');
    expect(await q.get()).toBeUndefined();
  });

  it('hands out nothing more once shut down, even with keys still queued', async () => {
    const q = new WorkQueue(manualClock().clock);
    q.add('a');
    q.add('b');
    q.shutdown();
    expect(await q.get()).toBeUndefined();
  });

  it('holds a delay longer than a Node timer can (30 days) instead of firing at once', () => {
    const { clock, advance } = manualClock();
    const q = new WorkQueue(clock);
    q.addAfter('a', 30 * 86_400_000);
    advance(1_000);
    expect(q.depth).toBe(0);
    advance(MAX_TIMER_MS);
    expect(q.depth).toBe(1);
  });

  it('keeps a backoff against plain adds (a resync), but not against a forced one (a new spec)', () => {
    const { clock, advance } = manualClock();
    const q = new WorkQueue(clock, new ExponentialBackoff(1_000, 300_000));
    q.addRateLimited('a');
    q.addRateLimited('a');
    q.add('a');
    expect(q.depth).toBe(0);
    advance(2_000);
    expect(q.depth).toBe(1);
    q.addRateLimited('b');
    q.add('b', { force: true });
    expect(q.depth).toBe(2);
  });
});
