import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, type Store } from './index.ts';
import { environment, openTestStore, tempDir } from '../../test/support/store.ts';
import { parseTarget } from '../validate.ts';

let store: Store;
afterEach(async () => {
  await store?.close();
});

describe('store on dynalite', () => {
  it('round-trips an Environment with server-set metadata and an empty status', async () => {
    store = await openTestStore();
    const created = await store.create(environment('chat-dev', {}, { app: 'chat' }));
    expect(created.metadata).toMatchObject({ name: 'chat-dev', generation: 1, resourceVersion: '1', finalizers: ['terrace.dev/teardown'], labels: { app: 'chat' } });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const read = await store.get('Environment', 'chat-dev');
    expect(read).toEqual(created);
    expect(read?.status).toEqual({ conditions: [], tiers: {} });
    expect(read?.spec.network?.cidr).toBe('10.0.0.0/16');
  });

  it('round-trips a Target and registers the local Target in embedded mode', async () => {
    store = await openTestStore();
    expect((await store.get('Target', 'local'))?.spec).toEqual({ provider: 'local' });
    const target = parseTarget({
      apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'aws-prod' },
      spec: { provider: 'aws', accountId: '333333333333', region: 'eu-west-1', roleArn: 'arn:aws:iam::333333333333:role/terrace', stateBucket: 'state-333' },
    });
    await store.create(target);
    const read = await store.get('Target', 'aws-prod');
    expect(read?.spec).toEqual(target.spec);
    expect(read).not.toHaveProperty('status');
  });

  it('stores user keys that name Object.prototype members (constructor, toString) and reads them back', async () => {
    store = await openTestStore();
    const odd = { constructor: 'a', toString: 'b', hasOwnProperty: 'c' };
    const env = environment('chat-dev', { compute: { services: [{ name: 'web', image: 'app:1', env: odd }] } }, odd);
    await store.create(env);
    await store.update({ ...env, metadata: { ...env.metadata, annotations: odd } });
    const read = await store.get('Environment', 'chat-dev');
    expect(read?.spec.compute?.services[0].env).toEqual(odd);
    expect(read?.metadata.labels).toEqual(odd);
    expect(read?.metadata.annotations).toEqual(odd);
    expect((await store.list('Environment', { labelSelector: 'constructor=a' })).items).toHaveLength(1);
  });

  it('refuses a continue token it did not give out, for documents and events', async () => {
    store = await openTestStore();
    await store.create(environment('chat-dev'));
    for (const token of ['garbage', 'Y2hhdC1kZXY=', Buffer.from('../x').toString('base64url')]) {
      await expect(store.list('Environment', { continue: token })).rejects.toThrow(/continue: is not a continue token/);
      await expect(store.listEvents('chat-dev', { continue: token })).rejects.toThrow(/continue: is not a continue token/);
    }
  });

  it('refuses to create a document twice', async () => {
    store = await openTestStore();
    await store.create(environment('chat-dev'));
    await expect(store.create(environment('chat-dev'))).rejects.toBeInstanceOf(ConflictError);
  });

  it('bumps generation only when the spec changes, and rejects a stale resourceVersion', async () => {
    store = await openTestStore();
    const v1 = await store.create(environment('chat-dev'));
    const same = await store.update(environment('chat-dev'), { expectedResourceVersion: '1' });
    expect(same.metadata).toMatchObject({ generation: 1, resourceVersion: '1' });

    const labelled = await store.update(environment('chat-dev', {}, { team: 'rt' }));
    expect(labelled.metadata).toMatchObject({ generation: 1, resourceVersion: '2' });

    const v3 = await store.update(environment('chat-dev', { suspend: true }), { expectedResourceVersion: '2' });
    expect(v3.metadata).toMatchObject({ generation: 2, resourceVersion: '3', uid: v1.metadata.uid, creationTimestamp: v1.metadata.creationTimestamp });

    const stale = store.update(environment('chat-dev', { approval: 'manual' }), { expectedResourceVersion: '2' });
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    const err = (await stale.catch((e) => e)) as ConflictError;
    expect((err.current as { metadata: { resourceVersion: string } }).metadata.resourceVersion).toBe('3');
    expect((await store.get('Environment', 'chat-dev'))?.spec.approval).toBe('auto');
  });

  it('lets exactly one of 20 concurrent updates from the same version win', async () => {
    store = await openTestStore();
    await store.create(environment('chat-dev'));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => store.update(environment('chat-dev', { driftDetection: { interval: `${10 + i}m` } }), { expectedResourceVersion: '1' })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError)).toBe(true);
    const final = await store.get('Environment', 'chat-dev');
    expect(final?.metadata).toMatchObject({ generation: 2, resourceVersion: '2' });
    expect(final?.spec.driftDetection.interval).toBe((won[0] as PromiseFulfilledResult<{ spec: { driftDetection: { interval: string } } }>).value.spec.driftDetection.interval);
  });

  it('pages through 250 environments and filters by label selector', async () => {
    store = await openTestStore();
    const names = Array.from({ length: 250 }, (_, i) => `env-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((n, j) => store.create(environment(n, {}, { app: 'chat', stage: (i + j) % 5 === 0 ? 'prod' : 'dev' }))));
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await store.list('Environment', { limit: 40, continue: token });
      seen.push(...page.items.map((e) => e.metadata.name));
      token = page.continue;
      pages++;
      expect(page.items.length).toBeLessThanOrEqual(40);
    } while (token);
    expect(pages).toBe(7);
    expect(seen).toEqual(names);

    const prod: string[] = [];
    token = undefined;
    do {
      const page: { items: { metadata: { name: string } }[]; continue?: string } = await store.list('Environment', { limit: 15, continue: token, labelSelector: 'app=chat,stage=prod' });
      prod.push(...page.items.map((e) => e.metadata.name));
      token = page.continue;
    } while (token);
    expect(prod).toEqual(names.filter((_, i) => i % 5 === 0));
    expect((await store.list('Environment', { labelSelector: 'stage!=prod', limit: 1000 })).items).toHaveLength(200);
  });

  it('keeps status separate: a status write leaves generation and spec alone', async () => {
    store = await openTestStore();
    await store.create(environment('chat-dev'));
    const status = { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' as const, reason: 'Applied', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00.000Z', observedGeneration: 1 }], tiers: {} };
    const after = await store.updateStatus('chat-dev', status);
    expect(after.status).toEqual(status);
    expect(after.metadata).toMatchObject({ generation: 1, resourceVersion: '1' });
    await expect(store.updateStatus('nope-env', status)).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.updateStatus('chat-dev', status, { expectedResourceVersion: '0' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('marks for deletion, then removes spec, status and events', async () => {
    store = await openTestStore();
    await store.create(environment('chat-dev'));
    await store.appendEvent('chat-dev', { time: new Date().toISOString(), action: 'apply', outcome: 'Succeeded' });
    const marked = await store.markDeleted('Environment', 'chat-dev');
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    expect(marked.metadata.resourceVersion).toBe('2');
    expect((await store.markDeleted('Environment', 'chat-dev')).metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
    await store.remove('Environment', 'chat-dev');
    expect(await store.get('Environment', 'chat-dev')).toBeUndefined();
    expect((await store.listEvents('chat-dev')).items).toEqual([]);
  });

  it('lists events newest first, in pages', async () => {
    store = await openTestStore();
    await store.create(environment('chat-dev'));
    for (let i = 0; i < 7; i++) await store.appendEvent('chat-dev', { time: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), action: `step-${i}`, outcome: 'Info' });
    const first = await store.listEvents('chat-dev', { limit: 4 });
    expect(first.items.map((e) => e.action)).toEqual(['step-6', 'step-5', 'step-4', 'step-3']);
    const second = await store.listEvents('chat-dev', { limit: 4, continue: first.continue });
    expect(second.items.map((e) => e.action)).toEqual(['step-2', 'step-1', 'step-0']);
  });

  it('gives a lease to one holder until it lapses or is released', async () => {
    let now = 1_000_000;
    const { openStore } = await import('./open.ts');
    store = (await openStore({ now: () => now })).store;
    expect(await store.acquireLease('chat-dev', 'a', 10_000)).toBe(true);
    expect(await store.acquireLease('chat-dev', 'b', 10_000)).toBe(false);
    expect(await store.acquireLease('chat-dev', 'a', 10_000)).toBe(true);
    now += 11_000;
    expect(await store.acquireLease('chat-dev', 'b', 10_000)).toBe(true);
    expect(await store.renewLease('chat-dev', 'a', 10_000)).toBe(false);
    expect(await store.renewLease('chat-dev', 'b', 10_000)).toBe(true);
    await store.releaseLease('chat-dev', 'a');
    expect(await store.acquireLease('chat-dev', 'a', 10_000)).toBe(false);
    await store.releaseLease('chat-dev', 'b');
    expect(await store.acquireLease('chat-dev', 'a', 10_000)).toBe(true);
  });

  it('keeps data across close and reopen on the same data dir', async () => {
    const dir = tempDir();
    try {
      store = await openTestStore({ dataDir: dir.path });
      await store.create(environment('chat-dev', { suspend: true }));
      await store.updateStatus('chat-dev', { observedGeneration: 1, conditions: [], tiers: { network: { conditions: [], lastAppliedHash: 'abc' } } });
      await store.close();
      store = await openTestStore({ dataDir: dir.path });
      const read = await store.get('Environment', 'chat-dev');
      expect(read?.spec.suspend).toBe(true);
      expect(read?.status.tiers.network.lastAppliedHash).toBe('abc');
    } finally {
      await store.close();
      store = undefined as never;
      dir.remove();
    }
  });

  it('calls the change hint after a spec write from this process', async () => {
    const writes: string[] = [];
    store = await openTestStore({ onSpecWrite: (kind, name) => writes.push(`${kind}/${name}`) });
    await store.create(environment('chat-dev'));
    await store.update(environment('chat-dev', { suspend: true }));
    await store.updateStatus('chat-dev', { conditions: [], tiers: {} });
    expect(writes).toEqual(['Target/local', 'Environment/chat-dev', 'Environment/chat-dev']);
  });
});
