import type { CheckOutcome, HttpCheckSpec } from '../../specs/verify.ts';
import { networkFailure } from './failure.ts';

/** GET `url` and compare the status; never throws. */
export async function checkHttp(url: string, check: Pick<HttpCheckSpec, 'expectStatus' | 'timeoutSeconds'>, signal: AbortSignal): Promise<CheckOutcome> {
  const started = performance.now();
  const timeoutMs = check.timeoutSeconds * 1000;
  const took = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
    await res.body?.cancel();
    if (res.status === check.expectStatus) return { kind: 'http', url, passed: true, message: `GET ${url} answered ${res.status}`, durationMs: took(), httpStatus: res.status };
    return {
      kind: 'http', url, passed: false, reason: 'WrongReply', durationMs: took(), httpStatus: res.status,
      message: `GET ${url} answered ${res.status}, expected ${check.expectStatus}: look at the app's logs for this route`,
    };
  } catch (err) {
    return { kind: 'http', url, passed: false, ...networkFailure(err, url, timeoutMs), durationMs: took() };
  }
}
