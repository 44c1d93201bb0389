import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, envBody, startApi, type TestApi } from '../../test/support/api.ts';
import { describeWindow } from '../rate-limit.ts';
import type { Scope } from '../schemas.ts';
import { allows } from './authenticate.ts';

let api: TestApi;
afterEach(async () => api?.close());

// One request per route and the scope it needs. Bodies are valid so that "allowed" is never a 4xx from auth.
const ROUTES: { method: 'GET' | 'PUT' | 'POST' | 'DELETE'; url: string; scope: Scope; payload?: object }[] = [
  { method: 'GET', url: '/v1/targets', scope: 'read' },
  { method: 'GET', url: '/v1/targets/local', scope: 'read' },
  { method: 'PUT', url: '/v1/targets/spare', scope: 'write', payload: { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'spare' }, spec: { provider: 'local' } } },
  { method: 'DELETE', url: '/v1/targets/spare', scope: 'operate' },
  { method: 'GET', url: '/v1/environments', scope: 'read' },
  { method: 'GET', url: '/v1/environments/chat-dev', scope: 'read' },
  { method: 'GET', url: '/v1/environments/chat-dev/status', scope: 'read' },
  { method: 'GET', url: '/v1/environments/chat-dev/events', scope: 'read' },
  { method: 'POST', url: '/v1/environments', scope: 'write', payload: envBody('chat-new') },
  { method: 'PUT', url: '/v1/environments/chat-dev', scope: 'write', payload: envBody('chat-dev') },
  { method: 'POST', url: '/v1/environments/chat-dev/reconcile', scope: 'operate' },
  { method: 'POST', url: '/v1/environments/chat-dev/approve', scope: 'operate', payload: { planId: 'p-1' } },
  { method: 'POST', url: '/v1/environments/chat-dev/suspend', scope: 'operate' },
  { method: 'POST', url: '/v1/environments/chat-dev/resume', scope: 'operate' },
  { method: 'DELETE', url: '/v1/environments/chat-dev', scope: 'operate' },
  { method: 'GET', url: '/v1/tokens', scope: 'admin' },
  { method: 'POST', url: '/v1/tokens', scope: 'admin', payload: { name: 'x', scopes: ['read'] } },
  { method: 'DELETE', url: '/v1/tokens/0123456789ab', scope: 'admin' },
];

describe('scopes', () => {
  it('read is implied by write, operate and admin; admin implies everything', () => {
    expect(allows(['write'], 'read')).toBe(true);
    expect(allows(['operate'], 'read')).toBe(true);
    expect(allows(['write'], 'operate')).toBe(false);
    expect(allows(['operate'], 'write')).toBe(false);
    expect(allows(['read'], 'write')).toBe(false);
    expect(allows(['admin'], 'operate')).toBe(true);
    expect(allows(['write', 'operate'], 'admin')).toBe(false);
  });

  it('every /v1 route: 401 without a valid token, 403 without its scope, allowed with it', async () => {
    api = await startApi();
    await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: envBody('chat-dev') });
    const tokens = Object.fromEntries(await Promise.all((['read', 'write', 'operate', 'admin'] as const).map(async (s) => [s, await api.as(s)])));
    for (const route of ROUTES) {
      const send = (headers: Record<string, string>) => api.app.inject({ method: route.method, url: route.url, payload: route.payload, headers });
      for (const headers of [{} as Record<string, string>, { authorization: 'Bearer trc_wrong-token-0000000000000' }, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }]) {
        const res = await send(headers);
        expect(res.statusCode, `${route.method} ${route.url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      for (const scope of ['read', 'write', 'operate', 'admin'] as const) {
        const res = await send(tokens[scope]);
        const label = `${route.method} ${route.url} as ${scope}`;
        if (allows([scope], route.scope)) expect([401, 403], label).not.toContain(res.statusCode);
        else {
          expect(res.statusCode, label).toBe(403);
          expect(res.json().detail, label).toContain(`lacks the ${route.scope} scope`);
        }
      }
    }
  });

  it('the admin token from the deps works without being stored', async () => {
    api = await startApi();
    expect((await api.call({ method: 'GET', url: '/v1/tokens' })).statusCode).toBe(200);
    expect(await api.store.listTokens()).toEqual([]);
  });

  it('the scheme is case-insensitive and may be followed by several spaces (RFC 9110)', async () => {
    api = await startApi();
    const reader = (await api.as('read')).authorization.replace(/^Bearer /, '');
    for (const authorization of [`bearer ${reader}`, `BEARER ${reader}`, `Bearer   ${reader}`, `bEaReR ${ADMIN_TOKEN}`]) {
      expect((await api.app.inject({ method: 'GET', url: '/v1/targets', headers: { authorization } })).statusCode, authorization).toBe(200);
    }
    for (const authorization of [`Bearer${reader}`, `Bearers ${reader}`, `Basic ${reader}`, `Bearer ${reader} extra`]) {
      expect((await api.app.inject({ method: 'GET', url: '/v1/targets', headers: { authorization } })).statusCode, authorization).toBe(401);
    }
  });

  it('no admin hash and no tokens: everything is 401', async () => {
    api = await startApi({ adminTokenHash: undefined });
    expect((await api.call({ method: 'GET', url: '/v1/environments' })).statusCode).toBe(401);
  });
});

describe('rate limit', () => {
  it('is per token (429 problem with Retry-After), falling back to the address without a valid token', async () => {
    api = await startApi({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
    const reader = await api.as('read');
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await api.app.inject({ method: 'GET', url: '/v1/targets', headers: reader })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await api.app.inject({ method: 'GET', url: '/v1/targets', headers: reader });
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    // Another token has its own budget.
    expect((await api.call({ method: 'GET', url: '/v1/targets' })).statusCode).toBe(200);
    // Bad tokens all count against the caller's address, however many different ones it tries.
    const bad = [];
    for (let i = 0; i < 4; i++) bad.push((await api.app.inject({ method: 'GET', url: '/v1/targets', headers: { authorization: `Bearer trc_guess-${i}-0000000000000000` } })).statusCode);
    expect(bad).toEqual([401, 401, 401, 429]);
  });

  it('names the configured window and the time left until it resets', async () => {
    api = await startApi({ rateLimit: { max: 2, timeWindowMs: 120_000 } });
    for (let i = 0; i < 2; i++) expect((await api.call({ method: 'GET', url: '/v1/targets' })).statusCode).toBe(200);
    const limited = await api.call({ method: 'GET', url: '/v1/targets' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().detail).toMatch(/^rate limit of 2 requests per 2 minutes exceeded; retry in \d+ (second|minute)s?$/);
  });

  it('describes windows as a person reads them', () => {
    expect([60_000, 120_000, 1000, 30_000, 3_600_000, 1500].map(describeWindow)).toEqual(['minute', '2 minutes', 'second', '30 seconds', 'hour', '1500 ms']);
  });

  it('does not limit the probes', async () => {
    api = await startApi({ rateLimit: { max: 1, timeWindowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await api.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
