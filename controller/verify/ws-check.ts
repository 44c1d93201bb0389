import WebSocket from 'ws';
import type { CheckOutcome, WebSocketCheckSpec } from '../../specs/verify.ts';
import { networkFailure, type Failure } from './failure.ts';
import { summary } from './percentiles.ts';

export interface WebSocketLimits {
  /** The upgrade must complete within this. */
  handshakeTimeoutMs: number;
  /** With `send`, the first reply must come within this. */
  replyTimeoutMs: number;
}
export const WEBSOCKET_LIMITS: WebSocketLimits = { handshakeTimeoutMs: 10_000, replyTimeoutMs: 5_000 };

type Check = Pick<WebSocketCheckSpec, 'send' | 'expect' | 'connections' | 'holdSeconds'>;

interface Connection {
  connectMs?: number;
  roundTripMs?: number;
  failure?: Failure & { httpStatus?: number; droppedAfterMs?: number };
}

/**
 * Opens `connections` sockets to `url` at once; each sends `send` (if any), expects a reply containing `expect`,
 * and must stay open `holdSeconds`. Never throws; `signal` closes every socket at once.
 */
export async function checkWebSocket(url: string, check: Check, signal: AbortSignal, limits = WEBSOCKET_LIMITS): Promise<CheckOutcome> {
  const started = performance.now();
  // One abort listener for the whole check, however many connections it opens.
  const cancels = new Set<() => void>();
  const onAbort = () => [...cancels].forEach((cancel) => cancel());
  signal.addEventListener('abort', onAbort, { once: true });
  const cancellation: Cancellation = { aborted: () => signal.aborted, add: (f) => cancels.add(f), remove: (f) => cancels.delete(f) };
  const results = await Promise.all(Array.from({ length: check.connections }, () => connect(url, check, cancellation, limits))).finally(() => signal.removeEventListener('abort', onAbort));
  const figures = {
    durationMs: Math.round(performance.now() - started),
    connections: check.connections,
    connectionsHeld: results.filter((r) => !r.failure).length,
    ...optional('connectMs', summary(results.flatMap((r) => (r.connectMs === undefined ? [] : [r.connectMs])))),
    ...optional('roundTripMs', summary(results.flatMap((r) => (r.roundTripMs === undefined ? [] : [r.roundTripMs])))),
  };
  const failed = results.filter((r) => r.failure).map((r) => r.failure!);
  if (failed.length === 0) {
    return { kind: 'websocket', url, passed: true, message: `${check.connections} connection(s) to ${url} held ${check.holdSeconds} s`, ...figures };
  }
  const worst = mostCommon(failed);
  const same = failed.filter((f) => f.reason === worst.reason);
  return {
    kind: 'websocket', url, passed: false, reason: worst.reason, message: describe(url, check, worst, same),
    ...(worst.httpStatus !== undefined ? { httpStatus: worst.httpStatus } : {}), ...figures,
  };
}

function describe(url: string, check: Check, worst: NonNullable<Connection['failure']>, same: NonNullable<Connection['failure']>[]): string {
  const of = `${same.length} of ${check.connections}`;
  switch (worst.reason) {
    case 'HandshakeRejected':
      return `${of} upgrades to ${url} were rejected with HTTP ${worst.httpStatus}: the app or the load balancer refuses WebSocket upgrades on this path`;
    case 'DroppedEarly': {
      const after = Math.min(...same.map((f) => f.droppedAfterMs!)) / 1000;
      return `${of} connections to ${url} closed after ${after.toFixed(1)} s (each must stay open ${check.holdSeconds} s): check the app's socket lifetime and the load balancer's idle timeout`;
    }
    default:
      return `${of} connections: ${worst.message}`;
  }
}

/** The reason most connections failed with; its first occurrence carries the details. */
function mostCommon(failures: NonNullable<Connection['failure']>[]): NonNullable<Connection['failure']> {
  const count = (r: string) => failures.filter((f) => f.reason === r).length;
  return failures.reduce((best, f) => (count(f.reason) > count(best.reason) ? f : best));
}

interface Cancellation {
  aborted(): boolean;
  add(cancel: () => void): void;
  remove(cancel: () => void): void;
}

/**
 * One connection. With `send`, the reply is the first message after it that contains `expect` (earlier messages,
 * such as a greeting on connect, are skipped), or without `expect` the first message after it; none within the
 * reply timeout fails (WrongReply quoting the last message seen, else Timeout). Without `send` messages are ignored.
 */
function connect(url: string, check: Check, cancellation: Cancellation, limits: WebSocketLimits): Promise<Connection> {
  return new Promise((resolve) => {
    const started = performance.now();
    const result: Connection = {};
    const timers: NodeJS.Timeout[] = [];
    let openedAt: number | undefined;
    let sentAt: number | undefined;
    let lastSeen: string | undefined;
    let replied = false;
    let held = false;
    let settled = false;
    const ws = new WebSocket(url, { handshakeTimeout: limits.handshakeTimeoutMs, followRedirects: false });

    const finish = (failure?: Connection['failure'], abort = false) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      cancellation.remove(cancel);
      // A cancelled run ends now: close() would wait up to 30 s for the peer's close frame.
      if (ws.readyState === WebSocket.OPEN && !abort) ws.close(1000, 'terrace verify done');
      else ws.terminate();
      resolve(failure ? { ...result, failure } : result);
    };
    const cancel = () => finish({ reason: 'Cancelled', message: `the check of ${url} was cancelled` }, true);
    if (cancellation.aborted()) return cancel();
    cancellation.add(cancel);

    ws.on('unexpected-response', (_req, res) => finish({ reason: 'HandshakeRejected', httpStatus: res.statusCode, message: `the upgrade was rejected with HTTP ${res.statusCode}` }));
    ws.on('error', (err) => {
      // ws reports its own handshake timer as a plain Error.
      if (/handshake has timed out/i.test(err.message)) finish({ reason: 'Timeout', message: `the upgrade to ${url} did not complete within ${limits.handshakeTimeoutMs / 1000} s` });
      else finish(networkFailure(err, url, limits.handshakeTimeoutMs));
    });
    ws.on('open', () => {
      openedAt = performance.now();
      result.connectMs = round(openedAt - started);
      if (check.send !== undefined) {
        sentAt = performance.now();
        ws.send(check.send);
        timers.push(setTimeout(() => {
          if (replied) return;
          if (lastSeen !== undefined && check.expect !== undefined) {
            return finish({ reason: 'WrongReply', message: `${url} answered ${JSON.stringify(lastSeen.slice(0, 80))} to ${JSON.stringify(check.send)} but nothing containing ${JSON.stringify(check.expect)} within ${limits.replyTimeoutMs / 1000} s` });
          }
          finish({ reason: 'Timeout', message: `no reply to ${JSON.stringify(check.send)} from ${url} within ${limits.replyTimeoutMs / 1000} s` });
        }, limits.replyTimeoutMs));
      }
      timers.push(setTimeout(() => {
        held = true;
        if (replied || check.send === undefined) finish();
      }, check.holdSeconds * 1000));
    });
    ws.on('message', (data) => {
      if (replied || sentAt === undefined) return; // no round trip without a send
      const text = data.toString();
      lastSeen = text;
      if (check.expect !== undefined && !text.includes(check.expect)) return; // a greeting or other traffic
      replied = true;
      result.roundTripMs = round(performance.now() - sentAt);
      if (held) finish();
    });
    const dropped = (code: number) => {
      const after = round(performance.now() - (openedAt ?? started));
      finish({ reason: 'DroppedEarly', droppedAfterMs: after, message: `${url} closed the connection (code ${code}) after ${(after / 1000).toFixed(1)} s` });
    };
    ws.on('close', dropped);
  });
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
