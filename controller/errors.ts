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
