import { synthesizeTeardown, synthesizeTier } from '../constructs/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../specs/store/types.ts';
import { countingTerraform, devEnvironment, ManualClock, quietLog, storeWith } from '../test/support/controller.ts';
import { openTestStore, tempDir } from '../test/support/store.ts';
import { Controller } from './controller.ts';
import { WorkQueue } from './queue.ts';
import { Reconciler } from './reconciler.ts';
import { cachedSynthesize, type StackCache } from './synth-cache.ts';
import type { TerraformRunner } from './runner.ts';
import { WorkDirs } from './workdirs.ts';

// Issue 16: a resync of an environment whose spec, status, Target and drift timer have not changed costs nothing:
// no lease, no synthesis, no store write, no terraform. Everything here is real (dynalite, terraform on the local
// target); the writes are counted on the real store, the passes on the real Reconciler.

const twoTiers = (name: string, edit: (s: any) => void = () => undefined) =>
  devEnvironment(name, (s) => { delete s.data; delete s.compute; delete s.observability; edit(s); });

let raw: Store;
let store: Store;
let dir: ReturnType<typeof tempDir>;
let controller: Controller;
let queue: WatchedQueue;
const clock = new ManualClock();
const writes = { status: 0, events: 0, leases: 0 };
let spawned: string[];
let terraform: TerraformRunner;
const passes: { name: string; atRest?: string }[] = [];
const probes: { name: string; atRest?: string }[] = [];

/** The controller's queue, telling when a key is done: tests wait for work to settle, not for time. */
class WatchedQueue extends WorkQueue {
  private wake?: () => void;
  override done(key: string): void {
    super.done(key);
    this.wake?.();
  }
  async settled(): Promise<void> {
    while (this.depth > 0 || this.inFlight > 0) await new Promise<void>((r) => (this.wake = r));
  }
}

/** A reconciler as the control plane builds one (stack summaries on disk), its passes and probes recorded. */
function reconcilerOf(stacks: StackCache): Pick<Reconciler, 'reconcile' | 'probe'> {
  const workdirs = new WorkDirs(`${dir.path}/work`);
  const reconciler = new Reconciler({
    store, terraform, workdirs, synthesize: stacks, teardown: synthesizeTeardown, clock, log: quietLog, timeoutMs: 120_000, staleLockMs: 600_000,
  });
  return {
    reconcile: async (name, signal) => {
      const result = await reconciler.reconcile(name, signal).catch((err: unknown) => {
        passes.push({ name });
        throw err;
      });
      passes.push({ name, atRest: result.atRest });
      return result;
    },
    probe: async (name) => {
      const result = await reconciler.probe(name);
      probes.push({ name, atRest: result?.atRest });
      return result;
    },
  };
}
const stackCache = () => cachedSynthesize(synthesizeTier, { disk: { dir: (e, t) => `${dir.path}/work/${e}/${t}`, fingerprint: 'this-code' } });

function start(stacks: StackCache): void {
  queue = new WatchedQueue(clock);
  controller = new Controller({ store, log: quietLog, replicaId: 'r1', clock, queue, resync: '0 0 1 1 *', concurrency: 2, reconciler: reconcilerOf(stacks) });
  controller.start();
}

/** Runs one resync and returns the passes it caused, once they all ended (none when every environment is at rest). */
async function resync(): Promise<typeof passes> {
  const from = passes.length;
  await controller.resync();
  await queue.settled();
  return passes.slice(from);
}

let stacks: StackCache;
beforeAll(async () => {
  raw = await openTestStore();
  dir = tempDir();
  store = storeWith(raw, {
    updateStatus: (...a) => (writes.status++, raw.updateStatus(...a)),
    appendEvent: (...a) => (writes.events++, raw.appendEvent(...a)),
    acquireLease: (...a) => (writes.leases++, raw.acquireLease(...a)),
  });
  const counting = countingTerraform(dir.path);
  spawned = counting.spawned;
  terraform = counting.terraform;
  stacks = stackCache();
  for (const name of ['idle-a', 'idle-b']) await raw.create(twoTiers(name));
  start(stacks);
  while (passes.length < 2) await resync(); // the first passes apply both
  await resync(); // and the next resync finds both at rest
}, 120_000);

afterAll(async () => {
  await controller?.stop();
  await raw?.close();
  dir?.remove();
});

const snapshot = () => ({ ...writes, synth: stacks.synthesized, terraform: spawned.length, passes: passes.length, probes: probes.length });

describe('idle resync passes', () => {
  it('an environment at rest costs a resync no lease, no synthesis, no store write and no terraform', async () => {
    // The first passes applied (they wrote); then a probe (one read, no lease) found each at rest.
    expect(passes.map((p) => p.atRest)).toEqual([undefined, undefined]);
    expect(probes.at(-1)!.atRest).toMatch(/^\d+\/local@\d+\/[0-9a-f]{64}$/);
    expect(controller.atRest.size).toBe(2);
    expect(writes.leases).toBe(2);

    const before = snapshot();
    for (let i = 0; i < 3; i++) expect(await resync()).toEqual([]);
    expect(snapshot()).toEqual(before); // not even a probe

    // After a restart (a new controller, reconciler and stack cache over the same store and working directories):
    // one probe each, from the stack summaries on disk, and nothing else.
    await controller.stop();
    stacks = stackCache();
    start(stacks);
    await resync();
    const after = snapshot();
    expect({ ...after, probes: 0 }).toEqual({ ...before, probes: 0, synth: 0 });
    expect(after.probes).toBeGreaterThanOrEqual(before.probes + 2); // start's own resync may probe them too
    expect(controller.atRest.size).toBe(2);
  }, 120_000);

  it('a change to what a pass reads (spec, status from elsewhere, Target) or a due timer brings it back', async () => {
    const current = (await raw.get('Environment', 'idle-a'))!;
    // A status written by another replica: the versions differ, the probe sees the pass would write: it runs.
    await raw.updateStatus('idle-a', { ...structuredClone(current.status), conditions: current.status.conditions.slice(1) });
    let ran = await resync();
    expect(ran.map((p) => p.name)).toEqual(['idle-a']);
    expect(await resync()).toEqual([]);

    // A Target write: every environment on it is probed again, and stays at rest (the label changes no stack).
    const target = (await raw.get('Target', 'local'))!;
    await raw.update({ ...target, metadata: { ...target.metadata, labels: { touched: 'yes' } } } as never);
    const probed = probes.length;
    expect(await resync()).toEqual([]);
    expect(probes.slice(probed).map((p) => p.name).sort()).toEqual(['idle-a', 'idle-b']);
    expect(controller.atRest.size).toBe(2);

    // The drift timer: once due, the resync sends it through a pass again (which plans: a drift check).
    const terraformBefore = spawned.length;
    const from = passes.length;
    clock.advance(2 * 3_600_000); // fires the passes' own requeue timers too
    await resync();
    expect([...new Set(passes.slice(from).map((p) => p.name))].sort()).toEqual(['idle-a', 'idle-b']);
    expect(spawned.slice(terraformBefore).filter((s) => s.endsWith(' plan')).length).toBe(4);

    // A spec change: a new generation is always reconciled.
    await raw.update(twoTiers('idle-b', (s) => (s.frontend.spa = !s.frontend.spa)));
    ran = await resync();
    expect(ran.map((p) => p.name)).toContain('idle-b');
  }, 120_000);
});
