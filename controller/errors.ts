/** A tier step that failed: `reason` is PascalCase, `message` is redacted terraform text. */
export class TierError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    /** Terminal: retrying cannot help until the spec changes (the environment becomes Stalled). */
    readonly terminal = false,
  ) {
    super(message);
    this.name = 'TierError';
  }
}

/** The whole environment cannot be reconciled until its spec (or its Target) changes. */
export class TerminalError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'TerminalError';
  }
}

/** A retryable failure that was already written to status; the queue backs off. */
export class RetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableError';
  }
}

/** Errors that mean a bug in terrace, never a property of the input: they must not pass for a spec problem. */
export function isBug(err: unknown): boolean {
  return err instanceof TypeError || err instanceof ReferenceError || err instanceof RangeError || err instanceof SyntaxError;
}
