import { afterEach, describe, expect, it } from 'vitest';
import { envBody, startApi, type TestApi } from '../test/support/api.ts';

let api: TestApi;
afterEach(async () => api?.close());

// A document that no longer validates (stored before a rule tightened, or written by another tool) stays readable:
// no 500 from the response serializer, nothing of it dropped.
describe('stored documents that no longer validate', () => {
  it('are read, listed and operated on as stored', async () => {
    api = await startApi();
    const body = structuredClone(envBody('legacy-env')) as any;
    body.spec.network.azCount = 99;
    body.spec.network.legacyField = 'kept';
    await api.store.create(body);
    const one = await api.call({ method: 'GET', url: '/v1/environments/legacy-env?fresh=true' });
    expect(one.statusCode).toBe(200);
    expect(one.json().spec.network).toMatchObject({ azCount: 99, legacyField: 'kept' });
    const list = await api.call({ method: 'GET', url: '/v1/environments?fresh=true' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((e: any) => e.spec.network.azCount)).toEqual([99]);
    const reconcile = await api.call({ method: 'POST', url: '/v1/environments/legacy-env/reconcile', headers: await api.as('operate') });
    expect(reconcile.statusCode).toBe(202);
    expect(reconcile.json().spec.network.azCount).toBe(99);
  });

  it('a Target too', async () => {
    api = await startApi();
    await api.store.create({ apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'odd-target' }, spec: { provider: 'aws', region: 7 } } as any);
    const one = await api.call({ method: 'GET', url: '/v1/targets/odd-target?fresh=true' });
    expect([one.statusCode, one.json().spec.region]).toEqual([200, 7]);
    expect((await api.call({ method: 'GET', url: '/v1/targets?fresh=true' })).statusCode).toBe(200);
  });
});
