import type { CheckOutcome } from '../../specs/verify.ts';
import { networkFailure } from './failure.ts';

/** A path no SPA serves as a file: with `spa: true` the distribution must answer it with index.html. */
export const DEEP_LINK = '/terrace-verify/deep/link';
const TIMEOUT_MS = 10_000;

/** With spa: true, a deep link answers 200 with the same body as /index.html. Never throws. */
export async function checkFrontend(baseUrl: string, signal: AbortSignal): Promise<CheckOutcome> {
  const url = `${baseUrl}${DEEP_LINK}`;
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  try {
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]);
    const [index, deep] = await Promise.all([get(`${baseUrl}/index.html`, bounded), get(url, bounded)]);
    if (deep.status === 200 && index.status === 200 && deep.body === index.body) {
      return { kind: 'frontend', url, passed: true, message: `the deep link ${url} answers index.html`, durationMs: took(), httpStatus: 200 };
    }
    const what = deep.status !== 200 ? `answered ${deep.status}` : index.status !== 200 ? `works but /index.html answered ${index.status}` : 'answered something other than index.html';
    return { kind: 'frontend', url, passed: false, reason: 'WrongReply', httpStatus: deep.status, durationMs: took(), message: `the deep link ${url} ${what}: the distribution must answer unknown paths with /index.html (spa: true)` };
  } catch (err) {
    return { kind: 'frontend', url, passed: false, ...networkFailure(err, url, TIMEOUT_MS), durationMs: took() };
  }
}

async function get(url: string, signal: AbortSignal): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal, redirect: 'manual' });
  return { status: res.status, body: await res.text() };
}
