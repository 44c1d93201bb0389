/**
 * The terraform runs this reconciler starts at once (TERRACE_CONCURRENCY), shared by every pass: a pass runs
 * independent tiers side by side, so environments at once no longer bound the processes. Waiters go first come,
 * first served; a cancelled pass stops waiting.
 */
export class TerraformSlots {
  private busy = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly limit: number = 4) {
    if (!(limit >= 1)) throw new Error(`terraform slots: limit must be at least 1, got ${limit}`);
  }

  get running(): number {
    return this.busy;
  }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.busy >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          this.waiters.splice(this.waiters.indexOf(wake), 1);
          reject(signal!.reason ?? new Error('aborted'));
        };
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(wake);
      });
    } else this.busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter.
      if (next) next();
      else this.busy--;
    };
  }
}
