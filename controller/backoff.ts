/** Per-key exponential backoff (client-go's ItemExponentialFailureRateLimiter): base doubling to a cap. */
export class ExponentialBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 1_000,
    private readonly capMs = 5 * 60_000,
  ) {}

  /** Delay before the next retry of `key`; each call counts one more failure. */
  next(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.baseMs * 2 ** n, this.capMs);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}
