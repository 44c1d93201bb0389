/** Verifications run at once by default (TERRACE_VERIFY_CONCURRENCY), apart from the terraform workers. */
export const VERIFY_CONCURRENCY = 2;
/** A pass that found no free slot comes back this soon to try again. */
export const QUEUED_REQUEUE_MS = 20_000;

/**
 * The verifications this reconciler runs at once. A pass never waits for a slot: a check may hold connections
 * for minutes, and the worker it runs on must not stall other environments' reconciles meanwhile.
 */
export class VerifySlots {
  private busy = 0;
  constructor(readonly limit: number = VERIFY_CONCURRENCY) {}

  get running(): number {
    return this.busy;
  }

  /** A release function, or undefined when every slot is taken. */
  tryAcquire(): (() => void) | undefined {
    if (this.busy >= this.limit) return undefined;
    this.busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy--;
    };
  }
}
