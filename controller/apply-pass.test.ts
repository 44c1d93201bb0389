import { join } from 'node:path';
import { synthesizeTeardown, synthesizeTier } from '../constructs/index.ts';
import { describe, expect, it } from 'vitest';
import { devEnvironment, hookedTerraform, quietLog, reconcilerFixture, storeWith, testReconciler, tierOf } from '../test/support/controller.ts';
import { Reconciler } from './reconciler.ts';
import type { TerraformRunner } from './runner.ts';
import { cachedSynthesize } from './synth-cache.ts';
import { TerraformSlots } from './terraform-slots.ts';
import { WorkDirs } from './workdirs.ts';

// Issue 16, less terraform per apply: a tier apply is init (when needed), plan and apply, the outputs coming from
// apply's own `outputs` message; tiers that do not depend on each other run at once, within the terraform slots;
// status is written when terraform has something to show, else once per pass. Real terraform, local target.

const fx = reconcilerFixture();

/** A gate a hook can wait on and another open. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('a five-tier apply', () => {
  it('runs frontend while compute is in progress, three processes per tier, outputs from apply', async () => {
    const order: string[] = [];
    const computePlanned = gate();
    const frontendApplied = gate();
    // frontend's apply waits for compute's plan, and compute's apply for frontend's: both can only finish if
    // frontend runs inside compute's step (one after the other, the pass would wait here for ever).
    const terraform = hookedTerraform(fx.terraform, {
      before: async (command, dir) => {
        if (command === 'apply' && tierOf(dir) === 'frontend') await computePlanned.opened;
        if (command === 'apply' && tierOf(dir) === 'compute') await frontendApplied.opened;
        order.push(`${tierOf(dir)} ${command} started`);
      },
      after: (command, dir) => {
        order.push(`${tierOf(dir)} ${command} ended`);
        if (command === 'plan' && tierOf(dir) === 'compute') computePlanned.open();
        if (command === 'apply' && tierOf(dir) === 'frontend') frontendApplied.open();
      },
    });
    await fx.store.create(devEnvironment());
    await testReconciler({ store: fx.store, dataDir: fx.dataDir, terraform }).reconcile('chat-dev', fx.signal());

    const at = (line: string) => order.indexOf(line);
    expect(at('compute plan ended')).toBeLessThan(at('frontend apply started'));
    expect(at('frontend apply ended')).toBeLessThan(at('compute apply started'));
    // network, then data, then compute: the dependencies still order them; observability waits for all four.
    expect(at('network apply ended')).toBeLessThan(at('data plan started'));
    expect(at('data apply ended')).toBeLessThan(at('compute plan started'));
    expect(at('compute apply ended')).toBeLessThan(at('observability plan started'));
    expect(at('frontend apply ended')).toBeLessThan(at('observability plan started'));

    for (const tier of ['network', 'data', 'compute', 'frontend', 'observability']) {
      expect(fx.spawned.filter((s) => s.startsWith(`chat-dev/${tier} `)).map((s) => s.split(' ')[1]), tier).toEqual(['init', 'plan', 'apply']);
    }
    const env = await fx.get();
    expect(fx.cond(env, 'Ready')?.status).toBe('True');
    // The outputs come from apply's message: the same values `terraform output` gives.
    const byHand = JSON.parse(fx.tf(fx.tierDir('network'), 'output', '-json')) as Record<string, { value: unknown }>;
    expect(env.status.tiers.network.outputs).toEqual(Object.fromEntries(Object.entries(byHand).map(([k, o]) => [k, o.value])));
    expect(env.status.tiers.data.outputs?.postgresEndpoint).toBeTruthy();
  }, 90_000);

  it('with one terraform slot runs one process at a time; a pass that changes no stack writes its status once', async () => {
    let running = 0;
    let most = 0;
    const terraform: TerraformRunner = hookedTerraform(fx.terraform, {
      before: () => void (most = Math.max(most, ++running)),
      after: () => void running--,
    });
    const writes: string[] = [];
    const store = storeWith(fx.store, { updateStatus: (name, status, options) => (writes.push(name), fx.store.updateStatus(name, status, options)) });
    const reconciler = new Reconciler({
      store, terraform, workdirs: new WorkDirs(join(fx.dataDir, 'work')), synthesize: cachedSynthesize(synthesizeTier), teardown: synthesizeTeardown,
      clock: fx.clock, log: quietLog, timeoutMs: 120_000, staleLockMs: 600_000, terraformSlots: new TerraformSlots(1),
    });
    await fx.store.create(devEnvironment());
    await reconciler.reconcile('chat-dev', fx.signal());
    expect(most).toBe(1);
    expect(fx.cond(await fx.get(), 'Ready')?.status).toBe('True');

    // A new generation whose stacks are the same: every tier's conditions move to it, and no terraform runs.
    const spawned = fx.spawned.length;
    writes.length = 0;
    await fx.store.update(devEnvironment('chat-dev', (s) => (s.driftDetection.interval = '2h')));
    await reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned.length).toBe(spawned);
    expect(writes).toEqual(['chat-dev']);
    const env = await fx.get();
    expect(env.status.observedGeneration).toBe(2);
    for (const tier of ['network', 'data', 'compute', 'frontend', 'observability']) expect(fx.cond(env, 'Ready', tier)?.observedGeneration, tier).toBe(2);
  }, 90_000);
});
