import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StoredEnvironment } from '../specs/store/types.ts';
import { devEnvironment, hookedTerraform, reconcilerFixture, testReconciler, tierOf } from '../test/support/controller.ts';
import { RetryableError } from './errors.ts';
import type { RunResult, TerraformRunner } from './runner.ts';

// The lost-lease safety property: once a pass is cancelled (shutdown, or the lease went to another replica) it
// starts no more terraform and writes nothing more, since the replica holding the lease now owns the status.

const fx = reconcilerFixture();

/** network, data and compute: each waits for the one before (frontend, which waits for nothing, runs alongside: tier-concurrency.test.ts). */
const threeTiers = () => devEnvironment('chat-dev', (s) => { delete s.frontend; delete s.observability; });
const snapshot = async () => ({ status: ((await fx.store.get('Environment', 'chat-dev')) as StoredEnvironment).status, events: (await fx.store.listEvents('chat-dev')).items });
const stateList = (tier: string) => fx.tf(fx.tierDir(tier), 'state', 'list');

/**
 * Runs one pass, cancelled once `command` of `tier` ended (`after`) or right after it started (`during`: the
 * runner stops terraform with SIGINT). Returns the store as it was at that moment and after the pass, and the
 * terraform processes started after the cancel.
 */
async function cancelledPass(command: keyof TerraformRunner, tier: string, when: 'after' | 'during') {
  const abort = new AbortController();
  let atCancel: Awaited<ReturnType<typeof snapshot>> | undefined;
  let spawnedAtCancel = Infinity;
  let run: RunResult | undefined;
  const hit = (c: string, d: string) => c === command && tierOf(d) === tier;
  const cancel = () => {
    spawnedAtCancel = fx.spawned.length;
    abort.abort();
  };
  const terraform = hookedTerraform(fx.terraform, {
    during: (c, d) => {
      if (when === 'during' && hit(c, d) && !abort.signal.aborted) cancel();
    },
    // The pass waits for this hook, so the snapshot is the store as it was when the cancel came.
    after: async (c, d, result) => {
      if (!hit(c, d) || atCancel) return;
      atCancel = await snapshot();
      run = result as RunResult;
      if (when === 'after') cancel();
    },
  });
  const error = await testReconciler({ store: fx.store, dataDir: fx.dataDir, terraform }).reconcile('chat-dev', abort.signal).catch((e: unknown) => e);
  expect(atCancel, `the pass never ran ${command} of ${tier}`).toBeDefined();
  return { error, atCancel: atCancel!, after: await snapshot(), spawnedAfter: fx.spawned.slice(spawnedAtCancel), run: run! };
}

const reconcile = () => fx.reconciler.reconcile('chat-dev', fx.signal());

describe('a cancelled pass (shutdown or lost lease)', () => {
  it('between tiers: once network is applied, starts no other tier and writes neither its status nor its events', async () => {
    await fx.store.create(threeTiers());
    const pass = await cancelledPass('apply', 'network', 'after');
    expect(pass.error).toBeInstanceOf(RetryableError);
    expect(stateList('network')).toContain('terraform_data'); // terraform did apply it before the cancel
    expect(pass.spawnedAfter).toEqual([]);
    expect(pass.after.status).toEqual(pass.atCancel.status);
    expect(pass.after.events).toEqual(pass.atCancel.events);
  });

  it.each(['init', 'plan'] as const)('inside a tier: cancelled once %s of network ended, starts no other terraform process (no apply)', async (command) => {
    await fx.store.create(threeTiers());
    const pass = await cancelledPass(command, 'network', 'after');
    expect(pass.error).toBeInstanceOf(RetryableError);
    expect(pass.spawnedAfter).toEqual([]);
    expect(existsSync(join(fx.tierDir('network'), 'terraform.tfstate'))).toBe(false); // nothing was applied
    expect(pass.after.status).toEqual(pass.atCancel.status);
    expect(pass.after.events).toEqual(pass.atCancel.events);
  });

  it('during a terraform run: stops terraform, starts nothing after it, and writes nothing of its end', async () => {
    await fx.store.create(threeTiers());
    const pass = await cancelledPass('apply', 'network', 'during');
    expect(pass.run.cancelled).toBe(true);
    expect(pass.error).toBeInstanceOf(RetryableError);
    expect(pass.spawnedAfter).toEqual([]); // data and compute do not start
    expect(pass.after.status).toEqual(pass.atCancel.status);
    expect(pass.after.events).toEqual(pass.atCancel.events);
  });

  it.each(['frontend', 'network'])('deleting: once %s is destroyed, destroys nothing more and removes nothing', async (tier) => {
    await fx.store.create(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; }));
    await reconcile();
    await fx.store.markDeleted('Environment', 'chat-dev');
    const pass = await cancelledPass('destroy', tier, 'after');
    expect(pass.error).toBeInstanceOf(RetryableError);
    expect(pass.spawnedAfter).toEqual([]);
    expect(await fx.store.get('Environment', 'chat-dev')).toBeDefined();
    expect(pass.after.status).toEqual(pass.atCancel.status);
    expect(pass.after.events).toEqual(pass.atCancel.events);
    if (tier === 'frontend') expect(stateList('network')).toContain('terraform_data');
  });

  it('cancelled before it starts: runs nothing, writes nothing, deletes nothing', async () => {
    await fx.store.create(threeTiers());
    const before = await snapshot();
    const abort = new AbortController();
    abort.abort();
    const { reconciler } = fx;
    await expect(reconciler.reconcile('chat-dev', abort.signal)).rejects.toBeInstanceOf(RetryableError);
    expect(fx.spawned).toEqual([]);
    expect(await snapshot()).toEqual(before);

    await reconcile();
    await fx.store.markDeleted('Environment', 'chat-dev');
    fx.spawned.length = 0;
    await expect(reconciler.reconcile('chat-dev', abort.signal)).rejects.toBeInstanceOf(RetryableError);
    expect(fx.spawned).toEqual([]);
    expect(await fx.store.get('Environment', 'chat-dev')).toBeDefined(); // nothing destroyed, nothing removed
  });
});
