import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyLoggerOptions, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { redactUrl } from './redact-url.ts';

/** Never logged: credentials in headers, tokens and secret-looking fields one or two levels deep. */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'headers.authorization',
  'token', '*.token', '*.*.token', 'password', '*.password', '*.*.password', 'secret', '*.secret', '*.*.secret',
  '*.secretAccessKey', '*.sessionToken', '*.apiKey', '*.privateKey', '*.clientSecret',
];

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a caller's x-request-id when it is short and plain; otherwise makes one. */
export function genReqId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
}

/** Fastify's request serializer, with query values redacted: a token sent as `?token=` must not reach the log. */
export function serializeRequest(req: FastifyRequest) {
  if (typeof req?.url !== 'string') return req; // some other `req` a caller logged: left to the redact paths
  return {
    method: req.method,
    url: redactUrl(req.url),
    version: req.headers?.['accept-version'] as string | undefined,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
const serializers = { req: serializeRequest };

type LoggerOption = FastifyServerOptions['logger'] | Logger | undefined;

function isPino(logger: LoggerOption): logger is Logger {
  return typeof logger === 'object' && logger !== null && typeof (logger as Logger).child === 'function' && typeof (logger as Logger).info === 'function';
}

/** Fastify 5 takes a ready pino instance as `loggerInstance`, options as `logger`; both get redaction. */
export function loggerOptions(logger: LoggerOption): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (logger === false) return { logger: false };
  if (isPino(logger)) return { loggerInstance: logger.child({}, { redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers }) };
  const base = typeof logger === 'object' && logger !== null ? logger : {};
  const extra = (base as { redact?: { paths?: string[] } | string[] }).redact;
  const paths = [...REDACT_PATHS, ...(Array.isArray(extra) ? extra : (extra?.paths ?? []))];
  const given = (base as { serializers?: Record<string, unknown> }).serializers;
  // Fastify's types want a serializer that always returns a request summary; ours passes other values through.
  const merged = { ...given, ...serializers } as FastifyLoggerOptions['serializers'];
  return { logger: { level: 'info', ...base, redact: { paths, censor: '[redacted]' }, serializers: merged } };
}
