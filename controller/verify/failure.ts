// Why a check failed, as a PascalCase reason (the Verified condition's reason) and words a person can act on.

export type FailureReason = 'Refused' | 'Timeout' | 'HandshakeRejected' | 'WrongReply' | 'DroppedEarly' | 'TLSError' | 'Cancelled';

export interface Failure {
  reason: FailureReason;
  message: string;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_|HOSTNAME_MISMATCH)/;

/** A network error (fetch's, whose code is on `cause`, or a socket's) as a failure of reaching `url`. */
export function networkFailure(err: unknown, url: string, timeoutMs: number): Failure {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return { reason: 'Timeout', message: `${url} did not answer within ${timeoutMs / 1000} s` };
  if (e.name === 'AbortError') return { reason: 'Cancelled', message: `the check of ${url} was cancelled` };
  const code = e.cause?.code ?? e.code ?? '';
  const detail = e.cause?.message ?? e.message ?? String(err);
  if (TLS_CODES.test(code) || /certificate|SSL|TLS/i.test(detail)) {
    return { reason: 'TLSError', message: `TLS with ${url} failed (${code || detail}): check the certificate covers the host and is valid` };
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return { reason: 'Timeout', message: `connecting to ${url} timed out (${code})` };
  return { reason: 'Refused', message: `cannot connect to ${url} (${code || detail}): is the app running and is the address right?` };
}
