import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { HttpProblem } from './errors.ts';

export interface RateLimit { max: number; timeWindowMs: number }

/** Requests a minute per token (TERRACE_RATE_LIMIT). */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 1200;
export const DEFAULT_RATE_LIMIT: RateLimit = { max: DEFAULT_RATE_LIMIT_PER_MINUTE, timeWindowMs: 60_000 };

/** "minute", "30 seconds", "2 hours": the window as a person reads it. */
export function describeWindow(ms: number): string {
  const units: [string, number][] = [['hour', 3_600_000], ['minute', 60_000], ['second', 1000]];
  for (const [unit, size] of units) {
    if (ms % size === 0) return ms === size ? unit : `${ms / size} ${unit}s`;
  }
  return `${ms} ms`;
}

/**
 * Per-caller limits on a plugin's routes, run first (onRequest): keyed on the token when `identify` accepts it,
 * else on the caller's address, so a flood of bad tokens is limited too. `identify` may reach the store: its
 * errors propagate (a store outage is a 503), never a bypass of the limit.
 */
export async function registerRateLimit(
  app: FastifyInstance,
  limit: RateLimit,
  identify: (request: FastifyRequest) => Promise<{ hash: string } | undefined>,
): Promise<void> {
  const window = describeWindow(limit.timeWindowMs);
  await app.register(rateLimit, {
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    hook: 'onRequest',
    keyGenerator: async (request) => {
      const principal = await identify(request);
      return principal ? `token:${principal.hash}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, ctx) => new HttpProblem(ctx.statusCode, `rate limit of ${ctx.max} requests per ${window} exceeded; retry in ${ctx.after}`),
  });
}
