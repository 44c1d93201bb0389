import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError } from '../specs/store/types.ts';
import { StoreUnavailableError } from '../specs/store/unavailable.ts';
import { ValidationError, type Problem } from '../specs/validate.ts';
import { urlPath } from './redact-url.ts';

export const PROBLEM_JSON = 'application/problem+json';
/** What a client is told to wait when the store is unavailable: outages are usually short (a restart, a throttle). */
export const STORE_RETRY_AFTER_S = 5;

/** An RFC 9457 problem document. `errors` lists validation problems with their paths. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: Problem[];
}

/** An error meant for the client: its detail and errors are shown as they are. */
export class HttpProblem extends Error {
  readonly statusCode: number;
  constructor(
    status: number,
    readonly detail: string,
    readonly options: { errors?: Problem[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.statusCode = status;
  }

  static invalid(status: 400 | 422, errors: Problem[]): HttpProblem {
    const detail = errors.length === 1 ? `${errors[0].path || '(document)'}: ${errors[0].message}` : `${errors.length} problems`;
    return new HttpProblem(status, detail, { errors });
  }
}

export const notFound = (what: string) => new HttpProblem(404, `${what} not found`);

/** Maps any error to a problem document. 5xx details are generic: the real error goes to the log only. */
export function toProblem(err: unknown, request: FastifyRequest): ProblemDocument {
  const base = (status: number, detail: string, errors?: Problem[]): ProblemDocument => ({
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: urlPath(request.url), // query values may hold secrets
    requestId: request.id,
    ...(errors ? { errors } : {}),
  });
  if (err instanceof HttpProblem) return base(err.statusCode, err.detail, err.options.errors);
  if (err instanceof ValidationError) return base(422, err.message, err.problems);
  if (err instanceof NotFoundError) return base(404, err.message);
  if (err instanceof ConflictError) return base(409, err.message);
  if (err instanceof StoreUnavailableError) return base(503, `the store is unavailable; retry in ${STORE_RETRY_AFTER_S} s`);
  const status = (err as FastifyError | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return base(status, (err as Error).message);
  return base(500, `internal error; quote request id ${request.id} to the operator`);
}

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply) {
  const problem = toProblem(err, request);
  if (err instanceof StoreUnavailableError) {
    // An outage fails every request the same way: one line each, without a stack that says nothing new.
    request.log.warn({ reason: err.reason }, 'store unavailable');
    reply.header('retry-after', String(STORE_RETRY_AFTER_S));
  } else if (problem.status === 500) request.log.error({ err }, 'request failed');
  else if (problem.status > 500) request.log.warn({ status: problem.status, detail: problem.detail }, 'request refused');
  else request.log.info({ status: problem.status, detail: problem.detail }, 'request rejected');
  if (err instanceof HttpProblem) reply.headers(err.options.headers ?? {});
  return reply.code(problem.status).type(PROBLEM_JSON).send(problem);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  const path = urlPath(request.url);
  return errorHandler(new HttpProblem(404, `no route for ${request.method} ${path}`), request, reply);
}
