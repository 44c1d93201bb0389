import { afterEach, describe, expect, it } from 'vitest';
import { EXPIRES_AT_ANNOTATION, PREVIEW_OF_LABEL } from '../../specs/preview.ts';
import { envBody, startApi, type TestApi } from '../../test/support/api.ts';
import { openReplicas } from '../../test/support/replicas.ts';
import { openTestStore } from '../../test/support/store.ts';
import { CachedStore } from '../../specs/store/cached-store.ts';
import type { Store, StoredEnvironment } from '../../specs/store/types.ts';

let api: TestApi;
afterEach(async () => api?.close());

let now = new Date('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;

/** A base on `target` with the settings previews turn down. */
const base = (name: string, target = 'local') => envBody(name, {
  target,
  network: { cidr: '10.0.0.0/16', natGateways: 'perAz' },
  data: { postgres: { minCapacity: 2, maxCapacity: 8, readers: 1 } },
  compute: {
    domain: { name: 'staging.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000001' },
    services: [{ name: 'web', image: 'ghcr.io/acme/app:main', public: true, desiredCount: 3, autoscaling: { min: 2, max: 6 } }],
  },
});

const SANDBOX = { provider: 'aws', accountId: '222222222222', region: 'eu-west-1', roleArn: 'arn:aws:iam::222222222222:role/terrace', stateBucket: 'state-222' };

async function setup() {
  now = new Date('2026-03-01T12:00:00.000Z');
  const enqueued: string[] = [];
  api = await startApi({ now: () => now, controller: { enqueue: (n) => enqueued.push(n), running: () => true } });
  expect((await api.call({ method: 'PUT', url: '/v1/environments/staging', payload: base('staging') })).statusCode).toBe(201);
  return enqueued;
}

const createPreview = (payload: Record<string, unknown>, headers?: Record<string, string>, baseName = 'staging') =>
  api.call({ method: 'POST', url: `/v1/environments/${baseName}/previews`, payload, headers });

describe('preview routes', () => {
  it('creates a preview with the defaults, its label and expiry, and updates it from the base on the next push', async () => {
    const enqueued = await setup();
    const ci = await api.as('write');
    const res = await createPreview({ name: 'pr-7', ttl: '2h', set: ['compute.services[0].image=ghcr.io/acme/app:pr-7'] }, ci);
    expect(res.statusCode, res.body).toBe(201);
    const stored = (await api.store.get('Environment', 'pr-7'))!;
    expect(stored.metadata.labels).toEqual({ [PREVIEW_OF_LABEL]: 'staging' });
    expect(stored.metadata.annotations).toEqual({ [EXPIRES_AT_ANNOTATION]: new Date(now.getTime() + 2 * HOUR).toISOString() });
    expect(stored.spec.network).toMatchObject({ natGateways: 1, albDeletionProtection: false, waf: { enabled: false } });
    expect(stored.spec.data!.postgres).toMatchObject({ minCapacity: 0.5, maxCapacity: 1, readers: 0, deletionProtection: false });
    expect(stored.spec.compute!.services[0]).toMatchObject({ image: 'ghcr.io/acme/app:pr-7', desiredCount: 1 });
    expect(stored.spec.compute!.services[0].autoscaling).toBeUndefined();
    expect(stored.spec.compute!.domain!.name).toBe('pr-7.staging.example.com');
    expect(enqueued).toContain('pr-7');

    now = new Date(now.getTime() + HOUR);
    const again = await createPreview({ name: 'pr-7', set: ['compute.services[0].image=ghcr.io/acme/app:pr-7b'] }, ci);
    expect(again.statusCode, again.body).toBe(200);
    const updated = (await api.store.get('Environment', 'pr-7'))!;
    expect(updated.spec.compute!.services[0].image).toBe('ghcr.io/acme/app:pr-7b');
    expect(updated.metadata.annotations![EXPIRES_AT_ANNOTATION]).toBe(new Date(now.getTime() + 72 * HOUR).toISOString());
    expect(updated.metadata.generation).toBe(2);
  });

  it('refuses past the Target cap with a 409 naming it, and where the Target forbids previews', async () => {
    await setup();
    const sandbox = (previews: Record<string, unknown>) => api.call({ method: 'PUT', url: '/v1/targets/sandbox', payload: { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'sandbox' }, spec: { ...SANDBOX, previews } } });
    expect((await sandbox({ max: 2 })).statusCode).toBe(201);
    const shop = await api.call({ method: 'PUT', url: '/v1/environments/shop', payload: base('shop', 'sandbox') });
    expect(shop.statusCode, shop.body).toBe(201);
    expect((await createPreview({ name: 'pr-1' }, undefined, 'shop')).statusCode).toBe(201);
    expect((await createPreview({ name: 'pr-2' }, undefined, 'shop')).statusCode).toBe(201);
    const third = await createPreview({ name: 'pr-3' }, undefined, 'shop');
    expect(third.statusCode).toBe(409);
    expect(third.json().detail).toContain('spec.previews.max: 2');
    expect(await api.store.get('Environment', 'pr-3')).toBeUndefined();
    // Updating one of the two is not a third; a preview elsewhere does not count against this Target.
    expect((await createPreview({ name: 'pr-2' }, undefined, 'shop')).statusCode).toBe(200);
    expect((await createPreview({ name: 'pr-3' })).statusCode).toBe(201);

    // A Target in use may change its previews settings (they move no state); forbidding stops new ones.
    const forbid = await sandbox({ allowed: false });
    expect(forbid.statusCode, forbid.body).toBe(200);
    const refused = await createPreview({ name: 'pr-4' }, undefined, 'shop');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('spec.previews.allowed: false');
    // The built-in local Target stays as it is, previews settings included.
    const local = await api.call({ method: 'PUT', url: '/v1/targets/local', payload: { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'local' }, spec: { provider: 'local', previews: { max: 1 } } } });
    expect(local.statusCode).toBe(409);
  });

  it('holds the cap under concurrent creates: of three at once on a Target capped at 1, one is created', async () => {
    await setup();
    const target = { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'sandbox' }, spec: { ...SANDBOX, previews: { max: 1 } } };
    expect((await api.call({ method: 'PUT', url: '/v1/targets/sandbox', payload: target })).statusCode).toBe(201);
    expect((await api.call({ method: 'PUT', url: '/v1/environments/shop', payload: base('shop', 'sandbox') })).statusCode).toBe(201);
    const codes = await Promise.all(['pr-1', 'pr-2', 'pr-3'].map(async (name) => (await createPreview({ name }, undefined, 'shop')).statusCode));
    expect(codes.sort()).toEqual([201, 409, 409]);
    const { items } = await api.store.list('Environment', { labelSelector: `${PREVIEW_OF_LABEL}=shop` });
    expect(items).toHaveLength(1);
  });

  it('holds the cap across two replicas over one table: of concurrent creates through each, at most the cap stay', async () => {
    const replicas = await openReplicas();
    const [one, two] = [await startApi({ store: replicas.here }), await startApi({ store: replicas.elsewhere })];
    try {
      const target = { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'sandbox' }, spec: { ...SANDBOX, previews: { max: 1 } } };
      expect((await one.call({ method: 'PUT', url: '/v1/targets/sandbox', payload: target })).statusCode).toBe(201);
      expect((await one.call({ method: 'PUT', url: '/v1/environments/shop', payload: base('shop', 'sandbox') })).statusCode).toBe(201);
      const create = (replica: TestApi, name: string) => replica.call({ method: 'POST', url: '/v1/environments/shop/previews', payload: { name } });
      const codes = (await Promise.all([create(one, 'pr-1'), create(two, 'pr-2')])).map((r) => r.statusCode);
      expect(codes.filter((c) => c === 201).length).toBeLessThanOrEqual(1);
      expect(codes.filter((c) => c !== 201).every((c) => c === 409)).toBe(true);
      // A refused one is rolled back (marked deleted, torn down like any deletion): at most the cap stays live.
      const live = (await replicas.here.list('Environment', { labelSelector: `${PREVIEW_OF_LABEL}=shop` })).items.filter((e) => !e.metadata.deletionTimestamp);
      expect(live.length).toBeLessThanOrEqual(1);
      expect(live.map((e) => e.metadata.name)).toEqual(codes.flatMap((c, i) => (c === 201 ? [`pr-${i + 1}`] : [])));
    } finally {
      await Promise.all([one.close(), two.close()]);
      await replicas.close().catch(() => {});
    }
  });

  it('checks every write against the store, not a stale read cache: another replica\'s writes cause no 409 and no old data', async () => {
    const replicas = await openReplicas();
    // This replica's cache polls only when told: after one poll, what the other replica writes is not in it.
    const cache = CachedStore.over(replicas.here, { pollMs: 600_000 });
    api = await startApi({ store: cache, now: () => now });
    try {
      expect((await api.call({ method: 'PUT', url: '/v1/environments/staging', payload: base('staging') })).statusCode).toBe(201);
      expect((await createPreview({ name: 'pr-5' })).statusCode).toBe(201);
      await cache.sync();
      const elsewhere = async (name: string, change: (env: StoredEnvironment) => StoredEnvironment) =>
        replicas.elsewhere.update(change((await replicas.elsewhere.get('Environment', name))!));
      const relabel = (value: string) => (env: StoredEnvironment) => ({ ...env, metadata: { ...env.metadata, labels: { ...env.metadata.labels, seen: value } } });

      // The base's image changed and the preview was written elsewhere: the update copies the new base, no 409.
      await elsewhere('staging', (env) => ({ ...env, spec: { ...env.spec, compute: { ...env.spec.compute!, services: [{ ...env.spec.compute!.services![0], image: 'ghcr.io/acme/app:v2' }] } } }));
      await elsewhere('pr-5', relabel('one'));
      const updated = await createPreview({ name: 'pr-5' });
      expect(updated.statusCode, updated.body).toBe(200);
      expect(updated.json().spec.compute.services[0].image).toBe('ghcr.io/acme/app:v2');

      await elsewhere('pr-5', relabel('two'));
      expect((await api.call({ method: 'POST', url: '/v1/environments/pr-5/preview/extend', payload: { ttl: '1h' } })).statusCode).toBe(200);
      await elsewhere('pr-5', relabel('three'));
      const deleted = await api.call({ method: 'DELETE', url: '/v1/environments/pr-5/preview' });
      expect(deleted.statusCode, deleted.body).toBe(202);
      expect((await replicas.elsewhere.get('Environment', 'pr-5'))!.metadata.deletionTimestamp).toBeDefined();
    } finally {
      await api.close();
      api = undefined as unknown as TestApi;
      await replicas.close().catch(() => {});
    }
  });

  it('deletes a preview that CI updated between the read and the mark (PR closed during a push): re-read, not a 409', async () => {
    const raw = await openTestStore();
    let pushes = 0;
    // The first mark finds a write landed after the route read the preview (its resourceVersion moved on).
    const racing = new Proxy(raw, {
      get(store, key) {
        if (key !== 'markDeleted') return Reflect.get(store, key, store);
        return async (...args: Parameters<Store['markDeleted']>) => {
          if (pushes++ === 0) {
            const env = (await store.get('Environment', args[1]))!;
            await store.update({ ...env, metadata: { ...env.metadata, labels: { ...env.metadata.labels, pushed: 'yes' } } });
          }
          return store.markDeleted(...args);
        };
      },
    });
    api = await startApi({ store: racing });
    expect((await api.call({ method: 'PUT', url: '/v1/environments/staging', payload: base('staging') })).statusCode).toBe(201);
    expect((await createPreview({ name: 'pr-11' }, await api.as('write'))).statusCode).toBe(201);
    const res = await api.call({ method: 'DELETE', url: '/v1/environments/pr-11/preview', headers: await api.as('write') });
    expect(res.statusCode, res.body).toBe(202);
    expect((await raw.get('Environment', 'pr-11'))!.metadata.deletionTimestamp).toBeDefined();
    expect(pushes).toBe(2);
  });

  it('extends the expiry, from the stored one or from now once passed; write scope only for previews', async () => {
    await setup();
    const ci = await api.as('write');
    await createPreview({ name: 'pr-9', ttl: '1h' }, ci);
    const extend = (ttl: string) => api.call({ method: 'POST', url: '/v1/environments/pr-9/preview/extend', payload: { ttl }, headers: ci });
    const res = await extend('24h');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().metadata.annotations[EXPIRES_AT_ANNOTATION]).toBe(new Date(now.getTime() + 25 * HOUR).toISOString());
    now = new Date(now.getTime() + 30 * HOUR);
    expect((await extend('2h')).json().metadata.annotations[EXPIRES_AT_ANNOTATION]).toBe(new Date(now.getTime() + 2 * HOUR).toISOString());
    expect((await extend('30d')).statusCode).toBe(422);
    expect((await extend('soon')).json().errors).toEqual([{ path: 'ttl', message: expect.stringContaining('not a duration') }]);
    const notPreview = await api.call({ method: 'POST', url: '/v1/environments/staging/preview/extend', payload: { ttl: '1h' }, headers: ci });
    expect(notPreview.statusCode).toBe(409);
    // Reading needs no more than read; creating needs write.
    expect((await createPreview({ name: 'pr-10' }, await api.as('read'))).statusCode).toBe(403);
  });

  it('keeps the expiry out of request bodies: a PUT neither sets, changes nor drops it', async () => {
    await setup();
    const ci = await api.as('write');
    const sneaky = await api.call({ method: 'PUT', url: '/v1/environments/other', headers: ci, payload: base('other') });
    expect(sneaky.statusCode).toBe(201);
    const withExpiry = { ...base('other'), metadata: { name: 'other', annotations: { [EXPIRES_AT_ANNOTATION]: '2026-03-01T13:00:00.000Z' } } };
    await api.call({ method: 'PUT', url: '/v1/environments/other', headers: ci, payload: withExpiry });
    expect((await api.store.get('Environment', 'other'))!.metadata.annotations?.[EXPIRES_AT_ANNOTATION]).toBeUndefined();

    await createPreview({ name: 'pr-5', ttl: '1h' }, ci);
    const stored = (await api.call({ method: 'GET', url: '/v1/environments/pr-5' })).json();
    const expiry = stored.metadata.annotations[EXPIRES_AT_ANNOTATION];
    const put = (annotations: Record<string, string>) => api.call({ method: 'PUT', url: '/v1/environments/pr-5', headers: ci, payload: { ...stored, metadata: { ...stored.metadata, annotations } } });
    expect((await put({ [EXPIRES_AT_ANNOTATION]: '2027-01-01T00:00:00.000Z' })).statusCode).toBe(200);
    expect((await put({})).statusCode).toBe(200);
    expect((await api.store.get('Environment', 'pr-5'))!.metadata.annotations?.[EXPIRES_AT_ANNOTATION]).toBe(expiry);
  });

  it('deletes previews only through the preview route, with write scope; bad input is a 4xx at its path', async () => {
    await setup();
    const ci = await api.as('write');
    await createPreview({ name: 'pr-3' }, ci);
    expect((await api.call({ method: 'DELETE', url: '/v1/environments/staging/preview', headers: ci })).statusCode).toBe(409);
    expect((await api.store.get('Environment', 'staging'))!.metadata.deletionTimestamp).toBeUndefined();
    const res = await api.call({ method: 'DELETE', url: '/v1/environments/pr-3/preview', headers: ci });
    expect(res.statusCode).toBe(202);
    expect((await api.store.get('Environment', 'pr-3'))!.metadata.deletionTimestamp).toBeDefined();

    const badSet = await createPreview({ name: 'pr-4', set: ['compute.services[0].desiredCount="x"'] });
    expect(badSet.statusCode).toBe(422);
    expect(badSet.json().errors).toEqual([expect.objectContaining({ path: 'spec.compute.services[0].desiredCount' })]);
    expect((await createPreview({ name: 'pr-4', set: ['oops'] })).json().errors).toEqual([expect.objectContaining({ path: 'set[0]' })]);
    expect((await createPreview({ name: 'pr-4', ttl: '90d' })).statusCode).toBe(422);
    expect((await createPreview({ name: 'pr-4', target: 'nowhere' })).json().errors).toEqual([expect.objectContaining({ path: 'spec.target' })]);
    expect((await createPreview({ name: 'staging' })).statusCode).toBe(409);
    expect((await createPreview({ name: 'pr-6' }, undefined, 'pr-3')).statusCode).toBe(409); // a preview of a preview
    expect(await api.store.get('Environment', 'pr-4')).toBeUndefined();
  });
});
