import { afterEach, describe, expect, it } from 'vitest';
import { ANNOTATIONS } from '../../specs/meta.ts';
import type { EnvironmentStatus } from '../../specs/status.ts';
import { envBody, startApi, type TestApi } from '../../test/support/api.ts';

let api: TestApi;
afterEach(async () => api?.close());

const NOW = new Date('2026-03-01T12:00:00.000Z');

async function setup() {
  const enqueued: string[] = [];
  api = await startApi({ now: () => NOW, controller: { enqueue: (name) => enqueued.push(name), running: () => true } });
  await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: envBody('chat-dev', { approval: 'manual' }) });
  return enqueued;
}

function awaiting(planId: string): EnvironmentStatus {
  const at = '2026-03-01T11:00:00.000Z';
  return {
    conditions: [],
    tiers: {
      network: {
        conditions: [{ type: 'Planned', status: 'True', reason: 'AwaitingApproval', message: 'waiting', lastTransitionTime: at, observedGeneration: 1 }],
        lastPlan: { id: planId, add: 3, change: 0, destroy: 0 },
      },
    },
  };
}

describe('operations', () => {
  it('reconcile sets the requested-at annotation without bumping generation, and enqueues', async () => {
    const enqueued = await setup();
    const res = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/reconcile' });
    expect(res.statusCode).toBe(202);
    const env = await api.store.get('Environment', 'chat-dev');
    expect(env?.metadata.annotations?.[ANNOTATIONS.requestedAt]).toBe(NOW.toISOString());
    expect(env?.metadata.generation).toBe(1);
    expect(enqueued).toEqual(['chat-dev']);
    expect((await api.call({ method: 'POST', url: '/v1/environments/nope-env/reconcile' })).statusCode).toBe(404);
  });

  it('a later identical spec PUT keeps the annotations the API set (and changes nothing)', async () => {
    await setup();
    await api.call({ method: 'POST', url: '/v1/environments/chat-dev/reconcile' });
    const before = await api.store.get('Environment', 'chat-dev');
    const res = await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: envBody('chat-dev', { approval: 'manual' }) });
    expect(res.statusCode).toBe(200);
    expect(res.json().metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
    expect(res.json().metadata.annotations).toEqual({ [ANNOTATIONS.requestedAt]: NOW.toISOString() });
  });

  it('approve: 409 with a wrong planId (or nothing awaiting), 202 and the annotation with the right one', async () => {
    const enqueued = await setup();
    const nothing = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/approve', payload: { planId: 'plan-abc' } });
    expect(nothing.statusCode).toBe(409);
    expect(nothing.json().detail).toMatch(/no plan is awaiting approval/);

    await api.store.updateStatus('chat-dev', awaiting('plan-abc'));
    const wrong = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/approve', payload: { planId: 'plan-old' } });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(wrong.json().detail).toContain('network: plan-abc');
    expect((await api.store.get('Environment', 'chat-dev'))?.metadata.annotations).toBeUndefined();

    const right = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/approve', payload: { planId: 'plan-abc' } });
    expect(right.statusCode).toBe(202);
    const env = await api.store.get('Environment', 'chat-dev');
    expect(env?.metadata.annotations?.[ANNOTATIONS.approvePlan]).toBe('plan-abc');
    expect(env?.metadata.generation).toBe(1);
    expect(enqueued).toEqual(['chat-dev']);
  });

  it('keeps earlier approvals of plans still waiting when another tier is approved', async () => {
    await setup();
    const both = awaiting('plan-net');
    both.tiers.frontend = { ...both.tiers.network, lastPlan: { id: 'plan-web', add: 1, change: 0, destroy: 0 } };
    await api.store.updateStatus('chat-dev', both);
    expect((await api.call({ method: 'POST', url: '/v1/environments/chat-dev/approve', payload: { planId: 'plan-net' } })).statusCode).toBe(202);
    expect((await api.call({ method: 'POST', url: '/v1/environments/chat-dev/approve', payload: { planId: 'plan-web' } })).statusCode).toBe(202);
    const env = await api.store.get('Environment', 'chat-dev');
    expect(env?.metadata.annotations?.[ANNOTATIONS.approvePlan]).toBe('plan-net,plan-web');
  });

  it('approve needs a planId and nothing else', async () => {
    await setup();
    const missing = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/approve', payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([{ path: 'planId', message: 'is required' }]);
    const extra = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/approve', payload: { planId: 'p', force: true } });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().errors).toEqual([{ path: 'force', message: 'unknown field' }]);
  });

  it('suspend and resume flip spec.suspend, bump generation, and enqueue', async () => {
    const enqueued = await setup();
    const suspended = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/suspend' });
    expect(suspended.statusCode).toBe(202);
    expect(suspended.json()).toMatchObject({ spec: { suspend: true }, metadata: { generation: 2 } });
    const resumed = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/resume' });
    expect(resumed.json()).toMatchObject({ spec: { suspend: false }, metadata: { generation: 3 } });
    expect(enqueued).toEqual(['chat-dev', 'chat-dev']);
  });

  it('refuses suspend and approve on an environment being deleted, but accepts a reconcile nudge', async () => {
    await setup();
    await api.store.updateStatus('chat-dev', awaiting('plan-abc'));
    await api.call({ method: 'DELETE', url: '/v1/environments/chat-dev' });
    expect((await api.call({ method: 'POST', url: '/v1/environments/chat-dev/suspend' })).statusCode).toBe(409);
    expect((await api.call({ method: 'POST', url: '/v1/environments/chat-dev/approve', payload: { planId: 'plan-abc' } })).statusCode).toBe(409);
    expect((await api.call({ method: 'POST', url: '/v1/environments/chat-dev/reconcile' })).statusCode).toBe(202);
  });

  it('does not overwrite a spec written between its read and its write', async () => {
    await setup();
    // Interleave: every spec read by the operation (from the store itself, not the read cache) is followed by a
    // concurrent PUT from "CI".
    const store = api.store.fresh;
    let raced = false;
    const original = store.get.bind(store);
    store.get = (async (kind: 'Environment' | 'Target', name: string) => {
      const doc = await original(kind, name);
      if (kind === 'Environment' && !raced) {
        raced = true;
        await store.update(envBody('chat-dev', { approval: 'auto' }) as never);
      }
      return doc;
    }) as typeof store.get;
    const res = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/suspend' });
    store.get = original as typeof store.get;
    expect(res.statusCode).toBe(202);
    expect((await store.get('Environment', 'chat-dev'))?.spec).toMatchObject({ suspend: true, approval: 'auto' });
  });
});
