import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The store cannot answer right now (down, unreachable, throttling, failing on its side). Nothing about the
 * request is wrong: the same call may succeed later, so callers answer "try again" instead of "broken".
 */
export class StoreUnavailableError extends Error {
  constructor(
    /** A short name of what failed (an error code or AWS error name), safe to log. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`the store is unavailable (${reason})`, options);
    this.name = 'StoreUnavailableError';
  }
}

// Errors that say nothing about the request, only about reaching or loading the store.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const AWS_NAMES = new Set([
  'TimeoutError', 'RequestTimeout', 'RequestTimeoutException',
  'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded',
  'ServiceUnavailable', 'ServiceUnavailableException', 'InternalServerError', 'InternalFailure',
]);

/** The reason when `err` means the store is unavailable, else undefined. */
export function unavailableReason(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, $metadata } = err as Error & { code?: unknown; $metadata?: { httpStatusCode?: number } };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  if (AWS_NAMES.has(err.name)) return err.name;
  if (/socket hang up/i.test(err.message)) return 'socket hang up';
  const status = $metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return `${err.name} (HTTP ${status})`;
  return undefined;
}

/**
 * Turns every unavailable-store error of this client into a StoreUnavailableError. Installed at the outermost
 * step, so it sees the error left after the SDK's own retries, for every command sent through the client.
 */
export function reportStoreUnavailable(db: DynamoDBDocumentClient): void {
  db.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const reason = unavailableReason(err);
        throw reason ? new StoreUnavailableError(reason, { cause: err }) : err;
      }
    },
    { step: 'initialize', name: 'terraceStoreUnavailable', override: true },
  );
}
