import { MAX_FRONTEND_HEADERS, MAX_FRONTEND_HEADERS_LENGTH, refusedHeader, sameHeaderValue, TERRACE_SECURITY_HEADERS } from '../../frontend-headers.ts';
import { warnUnhandled } from './fields.ts';
import { isMap, scalar, type Notes, type Raw } from './notes.ts';
import type { BlueprintService } from './scope.ts';

const HANDLED = ['type', 'name', 'runtime', 'env', 'buildCommand', 'staticPublishPath', 'routes', 'headers', 'domains', 'rootDir', 'envVars'];

/**
 * A static site as the frontend tier (S3 + CloudFront): the SPA fallback from its rewrite of /* to /index.html,
 * and its headers on /* as response headers.
 */
export function frontend(service: BlueprintService, notes: Notes): Raw {
  const { raw, path } = service;
  let spa = false;
  (Array.isArray(raw.routes) ? raw.routes : []).forEach((route, i) => {
    const at = `${path}.routes[${i}]`;
    if (isMap(route) && route.type === 'rewrite' && route.source === '/*' && route.destination === '/index.html') spa = true;
    else notes.warn(at, `${describeRoute(route)}: terrace's distribution has no redirect or rewrite rules; add a CloudFront Function on viewer requests`);
  });
  const headers = responseHeaders(raw.headers, `${path}.headers`, notes);
  if (raw.envVars !== undefined) notes.warn(`${path}.envVars`, 'a static site\'s variables only reach its build: set them in the CI job that builds it');
  const build = scalar(raw.buildCommand);
  const publish = scalar(raw.staticPublishPath) ?? '.';
  notes.map(path, `static site ${service.renderName} -> frontend (S3 and CloudFront${spa ? ', SPA fallback to /index.html' : ''}); upload the build with ${build ? `\`${build}\` then ` : ''}aws s3 sync ${publish} s3://<the frontend tier's bucket output>`);
  warnUnhandled(raw, path, HANDLED, notes);
  return Object.keys(headers).length > 0 ? { spa, headers } : { spa };
}

/**
 * Render's `headers` as `frontend.headers`: those on `/*` only, since CloudFront applies one response headers
 * policy per cache behaviour and terrace's distribution has one behaviour. A header terrace's security headers
 * already set is a note when Render's value is the same, a warning when it differs.
 */
function responseHeaders(list: unknown, path: string, notes: Notes): Record<string, string> {
  const headers: Record<string, string> = {};
  (Array.isArray(list) ? list : []).forEach((header, i) => {
    const at = `${path}[${i}]`;
    const name = isMap(header) ? scalar(header.name) : undefined;
    const value = isMap(header) ? scalar(header.value) : undefined;
    const on = isMap(header) ? scalar(header.path) : undefined;
    if (name === undefined || value === undefined) return notes.warn(at, 'a header needs a name and a value: not carried over');
    const described = `${name}: ${value} on ${on ?? '?'}`;
    if (on !== '/*') {
      return notes.warn(at, `${described}: CloudFront applies one response headers policy per cache behaviour and terrace's distribution has one, for every path; only headers on /* carry over: set it for all paths in frontend.headers, or add a cache behaviour for ${on ?? 'the path'} with its own policy`);
    }
    const security = Object.keys(TERRACE_SECURITY_HEADERS).find((h) => h.toLowerCase() === name.toLowerCase());
    if (security) {
      const ours = TERRACE_SECURITY_HEADERS[security];
      if (sameHeaderValue(value, ours)) return notes.map(at, `${described}: terrace's security headers already set ${security}: ${ours}`);
      return notes.warn(at, `${described}: terrace's security headers set ${security}: ${ours} on every response, and Render's value is not carried over`);
    }
    const refused = refusedHeader(name);
    if (refused) return notes.warn(at, `${described}: ${name} ${refused}: not carried over`);
    const problem = headerProblem(name, value, headers);
    if (problem) return notes.warn(at, `${described}: ${problem}: not carried over`);
    headers[name] = value;
    notes.map(at, `${described} -> frontend.headers (a custom header of the CloudFront response headers policy)`);
  });
  return headers;
}

/** Why `frontend.headers` cannot take this header beside the ones already taken. */
function headerProblem(name: string, value: string, taken: Record<string, string>): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/.test(name)) return 'the name is not one CloudFront takes (letters, digits and -)';
  if (!/^[\x20-\x7E]+$/.test(value)) return 'the value must be printable ASCII';
  const earlier = Object.keys(taken).find((h) => h.toLowerCase() === name.toLowerCase());
  if (earlier) return `${earlier} is already set by an earlier header on /*`;
  if (Object.keys(taken).length >= MAX_FRONTEND_HEADERS) return `CloudFront takes at most ${MAX_FRONTEND_HEADERS} custom headers`;
  const length = Object.entries(taken).reduce((n, [h, v]) => n + h.length + v.length, name.length + value.length);
  if (length > MAX_FRONTEND_HEADERS_LENGTH) return `CloudFront takes at most ${MAX_FRONTEND_HEADERS_LENGTH} characters of custom header names and values`;
  return undefined;
}

function describeRoute(route: unknown): string {
  if (!isMap(route)) return 'route';
  return `${scalar(route.type) ?? 'route'} ${scalar(route.source) ?? '?'} -> ${scalar(route.destination) ?? '?'}`;
}
