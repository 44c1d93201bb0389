import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../test/support/api.ts';

let api: TestApi;
let doc: Record<string, any>;
beforeAll(async () => {
  api = await startApi();
  const res = await api.app.inject({ method: 'GET', url: '/docs/json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => api?.close());

const ROUTES: [method: string, path: string, success: string][] = [
  ['put', '/v1/targets/{name}', '200'], ['get', '/v1/targets', '200'], ['get', '/v1/targets/{name}', '200'], ['delete', '/v1/targets/{name}', '200'],
  ['post', '/v1/environments', '201'], ['put', '/v1/environments/{name}', '200'], ['get', '/v1/environments', '200'],
  ['get', '/v1/environments/{name}', '200'], ['delete', '/v1/environments/{name}', '202'], ['get', '/v1/environments/{name}/status', '200'],
  ['get', '/v1/environments/{name}/events', '200'], ['get', '/v1/environments/{name}/watch', '200'],
  ['post', '/v1/environments/{name}/reconcile', '202'], ['post', '/v1/environments/{name}/approve', '202'],
  ['post', '/v1/environments/{name}/suspend', '202'], ['post', '/v1/environments/{name}/resume', '202'],
  ['post', '/v1/tokens', '201'], ['get', '/v1/tokens', '200'], ['delete', '/v1/tokens/{id}', '200'],
  ['get', '/healthz', '200'], ['get', '/readyz', '200'], ['get', '/metrics', '200'],
];

/** Every `$ref` in the document, with where it was found. */
function refs(value: unknown, at = '#'): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => refs(v, `${at}/${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [[at, v] as [string, string]] : refs(v, `${at}/${k}`)));
  }
  return [];
}

function resolve(pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  return pointer.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).reduce<any>((node, key) => node?.[key], doc);
}

describe('OpenAPI document at /docs/json', () => {
  it('is OpenAPI 3 with info and a bearer scheme', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: 'terrace', version: expect.any(String) });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists every route with a success response schema', () => {
    for (const [method, path, success] of ROUTES) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method.toUpperCase()} ${path}`).toBeDefined();
      const content = op.responses[success]?.content;
      expect(content, `${method.toUpperCase()} ${path} ${success}`).toBeDefined();
      expect(Object.values(content as Record<string, { schema?: unknown }>)[0].schema, `${method} ${path}`).toBeDefined();
    }
  });

  it('documents bodies, parameters, problems and security on /v1 routes', () => {
    const put = doc.paths['/v1/environments/{name}'].put;
    expect(put.requestBody.content['application/json'].schema.properties.spec.properties.target).toBeDefined();
    expect(put.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['path:name', 'query:dryRun', 'header:if-match']));
    expect(put.responses['422'].content['application/problem+json'].schema.properties.errors).toBeDefined();
    expect(put.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/v1/environments'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'continue', 'labelSelector']));
    expect(doc.paths['/healthz'].get.security).toBeUndefined();
  });

  it('every operation has responses, and every $ref resolves', () => {
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { responses?: object }>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    for (const [at, ref] of refs(doc)) expect(resolve(ref), `${ref} at ${at}`).toBeDefined();
  });
});
