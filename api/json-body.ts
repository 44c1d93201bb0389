import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from './errors.ts';

/** Real documents nest under 10 levels; far deeper input would only overflow the stack in validation. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when objects/arrays in JSON text nest deeper than `limit`. One pass, no recursion: brackets inside
 * strings (escapes included) do not count. Runs before JSON.parse, so a hostile body costs O(n) and no stack.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** The charset parameter of a content-type, lower-cased; undefined when absent. */
function charsetOf(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1].toLowerCase();
}

/** Parses a JSON body: UTF-8 only, bounded nesting, clear 4xx messages that never quote the body back. */
export function parseJsonBody(request: FastifyRequest, body: Buffer): unknown {
  const charset = charsetOf(request.headers['content-type']);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpProblem(415, `charset ${charset} is not supported: send JSON as UTF-8 (application/json; charset=utf-8)`);
  }
  const text = body.toString('utf8');
  if (text.trim() === '') throw new HttpProblem(400, 'the body is empty: send a JSON document');
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw new HttpProblem(400, `the body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    // Plain JSON.parse: `__proto__` becomes an own property, harmless, so validation can name its path.
    return JSON.parse(text);
  } catch (err) {
    // The engine's message may quote the body (secrets included): keep only where it went wrong.
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message)?.[1];
    const where = at ? ` (at character ${at})` : /end of JSON/.test(message) ? ' (it ends too early)' : '';
    throw new HttpProblem(400, `the body is not valid JSON${where}`);
  }
}

/** Replaces Fastify's JSON parser; the body limit stays Fastify's (bodyLimit). */
export function registerJsonBody(app: FastifyInstance): void {
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => parseJsonBody(request, body));
}
