import { warnUnhandled } from './fields.ts';
import { isMap, scalar, type Notes, type Raw } from './notes.ts';
import type { BlueprintService } from './scope.ts';

const HANDLED = ['type', 'name', 'runtime', 'env', 'buildCommand', 'staticPublishPath', 'routes', 'headers', 'domains', 'rootDir', 'envVars'];

/** A static site as the frontend tier (S3 + CloudFront): the SPA fallback from its rewrite of /* to /index.html. */
export function frontend(service: BlueprintService, notes: Notes): Raw {
  const { raw, path } = service;
  let spa = false;
  (Array.isArray(raw.routes) ? raw.routes : []).forEach((route, i) => {
    const at = `${path}.routes[${i}]`;
    if (isMap(route) && route.type === 'rewrite' && route.source === '/*' && route.destination === '/index.html') spa = true;
    else notes.warn(at, `${describeRoute(route)}: terrace's distribution has no redirect or rewrite rules; add a CloudFront Function on viewer requests`);
  });
  (Array.isArray(raw.headers) ? raw.headers : []).forEach((header, i) => {
    const name = isMap(header) ? `${scalar(header.name)}: ${scalar(header.value)} on ${scalar(header.path)}` : 'header';
    notes.warn(`${path}.headers[${i}]`, `${name}: terrace's distribution sets its own security headers only; add a CloudFront response headers policy`);
  });
  if (raw.envVars !== undefined) notes.warn(`${path}.envVars`, 'a static site\'s variables only reach its build: set them in the CI job that builds it');
  const build = scalar(raw.buildCommand);
  const publish = scalar(raw.staticPublishPath) ?? '.';
  notes.map(path, `static site ${service.renderName} -> frontend (S3 and CloudFront${spa ? ', SPA fallback to /index.html' : ''}); upload the build with ${build ? `\`${build}\` then ` : ''}aws s3 sync ${publish} s3://<the frontend tier's bucket output>`);
  warnUnhandled(raw, path, HANDLED, notes);
  return { spa };
}

function describeRoute(route: unknown): string {
  if (!isMap(route)) return 'route';
  return `${scalar(route.type) ?? 'route'} ${scalar(route.source) ?? '?'} -> ${scalar(route.destination) ?? '?'}`;
}
