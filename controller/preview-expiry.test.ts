import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCondition } from '../specs/conditions.ts';
import { EXPIRES_AT_ANNOTATION } from '../specs/preview.ts';
import type { StoredEnvironment } from '../specs/store/types.ts';
import { startApi, type TestApi } from '../test/support/api.ts';
import { countingTerraform, devEnvironment, hookedTerraform, ManualClock, quietLog, testReconciler, tierOf } from '../test/support/controller.ts';
import { tempDir } from '../test/support/store.ts';
import { Controller } from './controller.ts';
import { expirePreviews, PREVIEW_EXPIRED_ACTION } from './preview-expiry.ts';

// A preview of a local-target environment, through the real route, real dynalite and real terraform; its expiry
// under a clock the test moves, enforced by the controller's resync, and torn down by the reconciler as a deletion.

const MINUTE = 60_000;
let api: TestApi;
let dir: ReturnType<typeof tempDir>;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock();
  api = await startApi({ now: () => new Date(clock.now()) });
  dir = tempDir();
  // The base: network, data and compute, each with settings a preview turns down.
  await api.store.create(devEnvironment('chat-dev', (s) => {
    delete s.frontend;
    delete s.observability;
    s.network.natGateways = 'perAz';
    s.data.postgres.readers = 1;
    s.data.postgres.deletionProtection = true;
  }));
});
afterEach(async () => {
  await api.close();
  dir.remove();
});

const get = async (name: string) => (await api.store.get('Environment', name)) as StoredEnvironment;
const extend = (name: string, ttl: string) => api.call({ method: 'POST', url: `/v1/environments/${name}/preview/extend`, payload: { ttl } });
const stateList = (tierDir: string) => execFileSync('terraform', ['state', 'list'], {
  cwd: tierDir, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: join(dir.path, 'terraform.rc') },
}).trim();

describe('preview expiry, enforced by the controller', () => {
  it('creates a preview that reaches Ready with the preview defaults; an expired one has every tier destroyed and is gone', async () => {
    const created = await api.call({ method: 'POST', url: '/v1/environments/chat-dev/previews', payload: { name: 'pr-1', ttl: '1h' } });
    expect(created.statusCode, created.body).toBe(201);
    const expiresAt = new Date(clock.now() + 60 * MINUTE).toISOString();

    // After each destroy, what terraform's state still holds in that tier.
    const destroyed: [string, string][] = [];
    const { terraform } = countingTerraform(dir.path);
    const watched = hookedTerraform(terraform, { after: (command, d) => { if (command === 'destroy') destroyed.push([tierOf(d), stateList(d)]); } });
    const reconciler = testReconciler({ store: api.store, dataDir: dir.path, terraform: watched, clock });
    await reconciler.reconcile('pr-1', new AbortController().signal);

    const preview = await get('pr-1');
    expect(findCondition(preview.status.conditions, 'Ready')).toMatchObject({ status: 'True' });
    expect(preview.spec).toMatchObject({ approval: 'auto', network: { natGateways: 1, albDeletionProtection: false, waf: { enabled: false } }, data: { postgres: { minCapacity: 0.5, maxCapacity: 1, readers: 0, deletionProtection: false } } });
    expect(preview.spec.compute!.services.every((s) => s.desiredCount <= 1 && s.autoscaling === undefined)).toBe(true);
    expect(preview.metadata.annotations![EXPIRES_AT_ANNOTATION]).toBe(expiresAt);
    for (const tier of ['network', 'data', 'compute']) expect(stateList(join(dir.path, 'work', 'pr-1', tier))).toContain('terraform_data');

    const controller = new Controller({ store: api.store, reconciler, log: quietLog, replicaId: 'test', clock });
    // Extended before it expired: the old expiry passes and nothing happens.
    clock.advance(59 * MINUTE);
    expect((await extend('pr-1', '30m')).statusCode).toBe(200);
    clock.advance(2 * MINUTE);
    await controller.resync();
    expect((await get('pr-1')).metadata.deletionTimestamp).toBeUndefined();

    // At the extended expiry the resync deletes it, with an event naming the expiry.
    const extended = new Date(Date.parse(expiresAt) + 30 * MINUTE).toISOString();
    clock.advance(29 * MINUTE);
    await controller.resync();
    const marked = await get('pr-1');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    const events = (await api.store.listEvents('pr-1')).items;
    expect(events[0]).toMatchObject({ action: PREVIEW_EXPIRED_ACTION, outcome: 'Info', message: expect.stringContaining(`preview expired at ${extended}`) });
    expect(events.filter((e) => e.action === PREVIEW_EXPIRED_ACTION)).toHaveLength(1);
    expect((await get('chat-dev')).metadata.deletionTimestamp).toBeUndefined();

    // What a worker then does: the deletion, tiers in reverse order, each state emptied, the items removed.
    await reconciler.reconcile('pr-1', new AbortController().signal);
    expect(destroyed).toEqual([['compute', ''], ['data', ''], ['network', '']]);
    expect(await api.store.get('Environment', 'pr-1')).toBeUndefined();
    expect(await api.store.get('Environment', 'chat-dev')).toBeDefined();
  });

  it('leaves a preview extended after the resync read it: the deletion is a compare-and-set on what was read', async () => {
    await api.call({ method: 'POST', url: '/v1/environments/chat-dev/previews', payload: { name: 'pr-2', ttl: '10m' } });
    const read = (await api.store.list('Environment')).items;
    clock.advance(10 * MINUTE);
    expect((await extend('pr-2', '1h')).statusCode).toBe(200);
    expect(await expirePreviews(read, { store: api.store, clock, log: quietLog })).toEqual([]);
    expect((await get('pr-2')).metadata.deletionTimestamp).toBeUndefined();
    // Read again, the preview is not due; a later read past its expiry deletes it.
    clock.advance(60 * MINUTE);
    expect(await expirePreviews((await api.store.list('Environment')).items, { store: api.store, clock, log: quietLog })).toEqual(['pr-2']);
  });
});
