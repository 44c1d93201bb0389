import { afterAll, beforeAll, expect, it } from 'vitest';
import { devEnvironment } from '../../constructs/testing/fixtures.ts';
import { CachedStore } from '../../specs/store/cached-store.ts';
import { startApi, type TestApi } from '../../test/support/api.ts';
import { openTestStore } from '../../test/support/store.ts';

// The list answers from each cached document's remembered JSON text: that text must be what GET of one environment
// answers, the document as stored (a status or spec written by hand or by an older terrace may carry fields the
// schema does not name: served as they are, never a 500; see api/stored-json.ts).
let api: TestApi;
beforeAll(async () => {
  // Polled by this test only (sync()), with a staleness bound long enough that every read answers from the cache.
  api = await startApi({ store: CachedStore.over(await openTestStore(), { pollMs: 600_000 }) });
});
afterAll(() => api.close());

it('a listed environment is what GET of it answers, fields outside the schema as stored', async () => {
  await api.store.create({ ...devEnvironment('listed-env'), status: undefined } as never);
  const { status } = (await api.store.fresh.get('Environment', 'listed-env'))!;
  await api.store.updateStatus('listed-env', { ...status, unserved: 'x', tiers: { network: { conditions: [], lastAppliedHash: 'h', outputs: { vpcId: 'v' }, internal: 'y' } } } as never);
  await api.store.sync();
  const one = await api.call({ method: 'GET', url: '/v1/environments/listed-env' });
  const list = await api.call({ method: 'GET', url: '/v1/environments' });
  expect(one.headers['x-terrace-cache-age']).toBeDefined();
  expect(list.headers['x-terrace-cache-age']).toBeDefined();
  const listed = list.json().items.find((e: { metadata: { name: string } }) => e.metadata.name === 'listed-env');
  expect(one.json().status.tiers.network.outputs).toEqual({ vpcId: 'v' });
  expect([listed.status.unserved, listed.status.tiers.network.internal]).toEqual(['x', 'y']);
  expect(listed).toEqual(one.json());
  // Asked again (the remembered text), the same.
  const again = (await api.call({ method: 'GET', url: '/v1/environments' })).json().items.find((e: { metadata: { name: string } }) => e.metadata.name === 'listed-env');
  expect(again).toEqual(one.json());
});
