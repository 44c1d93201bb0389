import type { Logger } from 'pino';

/**
 * Logs a lasting failure once: the first time (and whenever it changes) at its level, with the error and its
 * stack; the same failure again, as retries find it, only at debug. `clear` once the key succeeds again.
 */
export class FailureLog {
  private readonly last = new Map<string, string>();

  /** At most `max` failures remembered (one per environment at worst): the oldest is forgotten, and would log again. */
  constructor(
    private readonly log: Logger,
    private readonly max = 10_000,
  ) {}

  report(key: string, level: 'warn' | 'error', err: unknown, fields: Record<string, unknown>, message: string): void {
    const signature = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (this.last.get(key) === signature) {
      this.log.debug(fields, `${message} (again)`);
      return;
    }
    this.last.set(key, signature);
    if (this.last.size > this.max) this.last.delete(this.last.keys().next().value!);
    this.log[level]({ ...fields, err }, message);
  }

  clear(key: string): void {
    this.last.delete(key);
  }
}

/** What an error says, for a log message: its own words, not a guess at its cause. */
export const describeError = (err: unknown) => (err instanceof Error ? err.message : String(err));
