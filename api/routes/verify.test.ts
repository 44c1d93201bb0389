import { afterEach, describe, expect, it } from 'vitest';
import { ANNOTATIONS } from '../../specs/meta.ts';
import { envBody, startApi, type TestApi } from '../../test/support/api.ts';

let api: TestApi;
afterEach(async () => api?.close());

const NOW = new Date('2026-03-01T12:00:00.000Z');
const verify = { baseUrl: 'https://api.example.com', http: [{ path: '/health/ready' }] };

async function setup(spec: Record<string, unknown> = { verify }) {
  const enqueued: string[] = [];
  api = await startApi({ now: () => NOW, controller: { enqueue: (name) => enqueued.push(name), running: () => true } });
  const put = await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: envBody('chat-dev', spec) });
  expect(put.statusCode).toBe(201);
  return enqueued;
}

describe('POST /v1/environments/{name}/verify', () => {
  it('sets the verify-requested-at annotation without bumping generation, and enqueues', async () => {
    const enqueued = await setup();
    enqueued.length = 0;
    const res = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/verify' });
    expect(res.statusCode).toBe(202);
    expect(res.json().metadata.annotations).toEqual({ [ANNOTATIONS.verifyRequestedAt]: NOW.toISOString() });
    expect(res.json().metadata.generation).toBe(1);
    expect(enqueued).toEqual(['chat-dev']);
  });

  it('needs the operate scope', async () => {
    await setup();
    const res = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/verify', headers: await api.as('read', 'write') });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 409 for an environment without spec.verify and 404 for none', async () => {
    await setup({});
    const res = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/verify' });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toContain('has no spec.verify');
    expect((await api.call({ method: 'POST', url: '/v1/environments/nope-env/verify' })).statusCode).toBe(404);
  });

  it('never takes the annotation from a spec body: a write-scoped PUT keeps the stored value', async () => {
    await setup();
    const forged = envBody('chat-dev', { verify }, { annotations: { [ANNOTATIONS.verifyRequestedAt]: '2099-01-01T00:00:00.000Z', team: 'chat' } });
    const created = await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: forged, headers: await api.as('write') });
    expect(created.statusCode).toBe(200);
    expect(created.json().metadata.annotations).toEqual({ team: 'chat' });
    await api.call({ method: 'POST', url: '/v1/environments/chat-dev/verify' });
    const again = await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: forged, headers: await api.as('write') });
    expect(again.json().metadata.annotations).toEqual({ team: 'chat', [ANNOTATIONS.verifyRequestedAt]: NOW.toISOString() });
  });

  it('shows status.verification in the status view', async () => {
    await setup();
    const verification = { ranAt: NOW.toISOString(), durationMs: 12, observedGeneration: 1, passed: true, checks: [{ kind: 'http' as const, url: 'https://api.example.com/health/ready', passed: true, message: 'ok', durationMs: 12, httpStatus: 200 }] };
    await api.store.updateStatus('chat-dev', { conditions: [], tiers: {}, verification });
    const res = await api.call({ method: 'GET', url: '/v1/environments/chat-dev/status' });
    expect(res.json().verification).toEqual(verification);
  });
});
