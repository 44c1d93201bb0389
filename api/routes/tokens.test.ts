import { afterEach, describe, expect, it } from 'vitest';
import { hashToken } from '../auth/tokens.ts';
import { startApi, type TestApi } from '../../test/support/api.ts';

let api: TestApi;
afterEach(async () => api?.close());

describe('tokens', () => {
  it('creates a token shown once, stores only its hash, lists without secrets, and revokes it', async () => {
    api = await startApi();
    const created = await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'ci-chat', scopes: ['write'] } });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    expect(token).toMatch(/^trc_[A-Za-z0-9_-]{43}$/);
    expect(id).toBe(hashToken(token).slice(0, 12));
    expect(await api.store.getToken(hashToken(token))).toMatchObject({ name: 'ci-chat', scopes: ['write'] });

    const list = await api.call({ method: 'GET', url: '/v1/tokens' });
    expect(list.json().items).toEqual([{ id, name: 'ci-chat', scopes: ['write'], createdAt: expect.any(String) }]);
    expect(list.body).not.toContain(token);
    expect(list.body).not.toContain(hashToken(token));

    // The new token works for its scope.
    const auth = { authorization: `Bearer ${token}` };
    expect((await api.app.inject({ method: 'GET', url: '/v1/environments', headers: auth })).statusCode).toBe(200);

    expect((await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'ci-chat', scopes: ['read'] } })).statusCode).toBe(409);
    const revoked = await api.call({ method: 'DELETE', url: `/v1/tokens/${id}` });
    expect(revoked.statusCode).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/v1/environments', headers: auth })).statusCode).toBe(401);
    expect((await api.call({ method: 'DELETE', url: `/v1/tokens/${id}` })).statusCode).toBe(404);
  });

  it('rejects unknown scopes and empty scope lists', async () => {
    api = await startApi();
    const bad = await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'x', scopes: ['root'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('scopes[0]');
    expect((await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'x', scopes: [] } })).statusCode).toBe(400);
  });
});
