import type { CheckOutcome } from '../../specs/verify.ts';
import { checkFrontend } from './frontend-check.ts';
import { checkHttp } from './http-check.ts';
import type { PlannedCheck } from './plan.ts';
import { checkWebSocket, WEBSOCKET_LIMITS, type WebSocketLimits } from './ws-check.ts';

/** Slack for the run's deadline beyond what its checks may take on their own. */
const DEADLINE_SLACK_MS = 10_000;
/** However many checks a spec declares, a run ends within this: the checks it cuts fail as Timeout. */
export const MAX_RUN_MS = 15 * 60_000;

/** The most a run of `checks` may take: each check's own bounds, one after the other, plus slack, at most MAX_RUN_MS. */
export function deadlineMs(checks: readonly PlannedCheck[], limits: WebSocketLimits = WEBSOCKET_LIMITS): number {
  const each = (c: PlannedCheck) =>
    c.kind === 'http' ? c.check.timeoutSeconds * 1000
      : c.kind === 'frontend' ? 10_000
        : limits.handshakeTimeoutMs + Math.max(c.check.holdSeconds * 1000, c.check.send === undefined ? 0 : limits.replyTimeoutMs);
  return Math.min(checks.reduce((sum, c) => sum + each(c), DEADLINE_SLACK_MS), MAX_RUN_MS);
}

/**
 * Runs the checks one after the other (a WebSocket check already opens its connections at once), stopping at
 * the run's deadline or when `signal` aborts (shutdown, lost lease). Checks cut by the deadline fail as Timeout.
 */
export async function runChecks(checks: readonly PlannedCheck[], signal: AbortSignal, options: { limits?: WebSocketLimits; deadlineMs?: number } = {}): Promise<CheckOutcome[]> {
  const limits = options.limits ?? WEBSOCKET_LIMITS;
  const budget = options.deadlineMs ?? deadlineMs(checks, limits);
  const deadline = AbortSignal.timeout(budget);
  const bounded = AbortSignal.any([signal, deadline]);
  const outcomes: CheckOutcome[] = [];
  for (const c of checks) {
    if (signal.aborted) break;
    const outcome = c.kind === 'http' ? await checkHttp(c.url, c.check, bounded)
      : c.kind === 'websocket' ? await checkWebSocket(c.url, c.check, bounded, limits)
        : await checkFrontend(c.url, bounded);
    // However the check reports being cut (Cancelled, or a fetch's abort read as its own timeout), the deadline cut it.
    const cutByDeadline = !outcome.passed && deadline.aborted && !signal.aborted;
    outcomes.push(cutByDeadline ? { ...outcome, reason: 'Timeout', message: `the verification ran past its deadline of ${budget / 1000} s during ${c.url}` } : outcome);
  }
  return outcomes;
}
