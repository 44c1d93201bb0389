import { ExponentialBackoff } from './backoff.ts';
import { realClock, type Clock } from './clock.ts';

export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * client-go's work queue: a key added twice is queued once (`dirty`), a key being processed is never
 * handed out again until `done` (`processing`); if it was re-added meanwhile it comes back after `done`.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { at: number; handle: unknown }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  /** Keys waiting out a backoff: a plain add (a resync) does not cut it short. */
  private readonly backingOff = new Set<string>();
  private shuttingDown = false;

  constructor(
    private readonly clock: Clock = realClock,
    readonly backoff = new ExponentialBackoff(),
  ) {}

  /** Queues `key`; `force` also cuts short its backoff (a new spec deserves a try now). */
  add(key: string, { force = false } = {}): void {
    if (this.shuttingDown) return;
    if (this.backingOff.has(key)) {
      if (!force) return;
      this.cancelWaiting(key);
    }
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else this.queue.push(key);
  }

  /** Adds `key` after `ms`; an earlier pending addAfter of the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    // Node's timers hold 2^31-1 ms (~24.8 days); a longer delay would fire at once, over and over.
    const delay = Math.min(ms, MAX_TIMER_MS);
    const at = this.clock.now() + delay;
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    if (pending) this.clock.clearTimeout(pending.handle);
    const handle = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.backingOff.delete(key);
      this.add(key);
    }, delay);
    this.waiting.set(key, { at, handle });
  }

  /** Adds `key` after its next backoff delay; returns that delay. */
  addRateLimited(key: string): number {
    const delay = this.backoff.next(key);
    this.cancelWaiting(key);
    this.backingOff.add(key);
    this.addAfter(key, delay);
    return delay;
  }

  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** Resolves with the next key, or undefined once shut down (keys still queued are left alone). */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Keys waiting to be handed out (not those in progress or scheduled later). */
  get depth(): number {
    return this.queue.length;
  }

  /** Keys handed out and not yet done. */
  get inFlight(): number {
    return this.processing.size;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  private cancelWaiting(key: string): void {
    const pending = this.waiting.get(key);
    if (pending) this.clock.clearTimeout(pending.handle);
    this.waiting.delete(key);
    this.backingOff.delete(key);
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const { handle } of this.waiting.values()) this.clock.clearTimeout(handle);
    this.waiting.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }
}
