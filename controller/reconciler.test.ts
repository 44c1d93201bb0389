import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { synthesizeTier } from '../constructs/index.ts';
import { findCondition } from '../specs/conditions.ts';
import { ANNOTATIONS } from '../specs/meta.ts';
import type { Store, StoredEnvironment } from '../specs/store/types.ts';
import { countingTerraform, devEnvironment, hookedTerraform, testReconciler, tierOf } from '../test/support/controller.ts';
import { openTestStore, tempDir } from '../test/support/store.ts';
import { realClock } from './clock.ts';
import { RetryableError, TerminalError } from './errors.ts';
import type { Reconciler } from './reconciler.ts';
import type { TerraformRunner } from './runner.ts';

let store: Store;
let dir: ReturnType<typeof tempDir>;
let spawned: string[];
let reconciler: Reconciler;
let terraform: TerraformRunner;
let now = Date.now();
const clock = { ...realClock, now: () => now };
const signal = () => new AbortController().signal;

beforeEach(async () => {
  store = await openTestStore();
  dir = tempDir();
  const counting = countingTerraform(dir.path);
  spawned = counting.spawned;
  terraform = counting.terraform;
  reconciler = testReconciler({ store, dataDir: dir.path, terraform, clock });
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

const get = async (name = 'chat-dev') => (await store.get('Environment', name)) as StoredEnvironment;
const cond = (env: StoredEnvironment, type: string, tier?: string) => findCondition(tier ? env.status.tiers[tier]?.conditions : env.status.conditions, type);
const tierDir = (tier: string, name = 'chat-dev') => join(dir.path, 'work', name, tier);
const tf = (cwd: string, ...args: string[]) => execFileSync('terraform', args, { cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: join(dir.path, 'terraform.rc') }, encoding: 'utf8' });

/** Resolves once a terraform process holds the local state lock in `cwd` (it writes the lock info then). */
function lockTaken(cwd: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(cwd, () => held() && done());
    const held = () => existsSync(join(cwd, '.terraform.tfstate.lock.info'));
    const done = () => {
      watcher.close();
      resolve();
    };
    if (held()) done();
  });
}

describe('reconciler on the local target, with real terraform', () => {
  it('brings all five tiers to Ready and records what it did', async () => {
    await store.create(devEnvironment());
    await reconciler.reconcile('chat-dev', signal());
    const env = await get();
    for (const tier of ['network', 'data', 'compute', 'frontend', 'observability']) {
      expect(cond(env, 'Ready', tier), tier).toMatchObject({ status: 'True', observedGeneration: 1 });
      expect(cond(env, 'Applied', tier)?.status).toBe('True');
      expect(env.status.tiers[tier].lastAppliedHash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(cond(env, 'Ready')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(cond(env, 'Reconciling')?.status).toBe('False');
    expect(env.status.observedGeneration).toBe(env.metadata.generation);
    expect(env.status.tiers.network.outputs?.vpcId).toMatch(/^vpc-/);
    expect(env.status.tiers.data.outputs?.postgresEndpoint).toBeTruthy();
    expect(spawned.filter((s) => s.endsWith(' apply'))).toEqual(['chat-dev/network apply', 'chat-dev/data apply', 'chat-dev/compute apply', 'chat-dev/frontend apply', 'chat-dev/observability apply']);
    const events = (await store.listEvents('chat-dev')).items;
    expect(events.filter((e) => e.action === 'apply' && e.outcome === 'Succeeded').map((e) => e.tier).sort()).toEqual(['compute', 'data', 'frontend', 'network', 'observability']);
    expect(events[0].changes?.add).toBeGreaterThan(0);
  });

  it('re-applies only the tiers whose stacks changed, and runs no terraform when nothing changed', async () => {
    await store.create(devEnvironment());
    await reconciler.reconcile('chat-dev', signal());
    spawned.length = 0;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual([]);

    const before = await get();
    await store.update(devEnvironment('chat-dev', (s) => (s.compute.services[0].desiredCount = 2)));
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual(['chat-dev/compute plan', 'chat-dev/compute apply', 'chat-dev/compute output']);
    const after = await get();
    expect(after.status.observedGeneration).toBe(2);
    expect(cond(after, 'Ready')?.status).toBe('True');
    expect(after.status.tiers.network.lastAppliedAt).toBe(before.status.tiers.network.lastAppliedAt);
    expect(after.status.tiers.compute.lastPlan).toMatchObject({ add: 0, destroy: 0 });
    expect(after.status.tiers.compute.lastPlan!.change).toBeGreaterThan(0);

    spawned.length = 0;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual([]);
  });

  it('destroys tiers in reverse order on deletion and removes the items', async () => {
    await store.create(devEnvironment());
    await reconciler.reconcile('chat-dev', signal());
    expect(tf(tierDir('network'), 'state', 'list')).toContain('terraform_data');
    spawned.length = 0;
    await store.markDeleted('Environment', 'chat-dev');
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned.filter((s) => s.includes('-destroy')).map((s) => s.split(' ')[0])).toEqual([
      'chat-dev/observability', 'chat-dev/frontend', 'chat-dev/compute', 'chat-dev/data', 'chat-dev/network',
    ]);
    expect(await store.get('Environment', 'chat-dev')).toBeUndefined();
    expect(existsSync(join(dir.path, 'work', 'chat-dev'))).toBe(false);
  });

  it('shows each tier as Deleting in the store before terraform destroys it', async () => {
    await store.create(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; }));
    await reconciler.reconcile('chat-dev', signal());
    await store.markDeleted('Environment', 'chat-dev');
    const seen: Record<string, unknown> = {};
    // What a client reading the environment sees at the moment each destroy starts.
    const watched = hookedTerraform(terraform, {
      before: async (command, d) => {
        if (command !== 'destroy') return;
        const env = await get();
        seen[tierOf(d)] = { tier: cond(env, 'Ready', tierOf(d)), env: cond(env, 'Reconciling')?.message };
      },
    });
    await testReconciler({ store, dataDir: dir.path, terraform: watched, clock }).reconcile('chat-dev', signal());
    expect(seen).toEqual({
      frontend: { tier: expect.objectContaining({ status: 'False', reason: 'Deleting' }), env: 'destroying frontend' },
      network: { tier: expect.objectContaining({ status: 'False', reason: 'Deleting' }), env: 'destroying network' },
    });
    expect(await store.get('Environment', 'chat-dev')).toBeUndefined();
  });

  it('keeps a failed destroy visible, retries it, and finishes once it can', async () => {
    await store.create(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; }));
    await reconciler.reconcile('chat-dev', signal());
    const state = join(tierDir('network'), 'terraform.tfstate');
    const good = readFileSync(state, 'utf8');
    writeFileSync(state, '{ broken');
    await store.markDeleted('Environment', 'chat-dev');
    await expect(reconciler.reconcile('chat-dev', signal())).rejects.toBeInstanceOf(RetryableError);
    const env = await get();
    expect(env.status.tiers.frontend).toBeUndefined(); // destroyed first, as it depends on nothing
    expect(cond(env, 'Ready', 'network')).toMatchObject({ status: 'False', reason: 'DestroyFailed' });
    expect(cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'DestroyFailed' });

    writeFileSync(state, good);
    await reconciler.reconcile('chat-dev', signal());
    expect(await store.get('Environment', 'chat-dev')).toBeUndefined();
  });

  it('destroys a tier that the spec stops declaring', async () => {
    await store.create(devEnvironment());
    await reconciler.reconcile('chat-dev', signal());
    spawned.length = 0;
    await store.update(devEnvironment('chat-dev', (s) => delete s.frontend));
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toContain('chat-dev/frontend apply -destroy');
    const env = await get();
    expect(env.status.tiers.frontend).toBeUndefined();
    expect(cond(env, 'Ready')?.status).toBe('True');
  });

  it('asks for approval before destroying a tier the spec stops declaring (manual approval)', async () => {
    const spec = (edit: (s: any) => void) => devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; edit(s); });
    await store.create(spec(() => {}));
    await reconciler.reconcile('chat-dev', signal());
    await store.update(spec((s) => { s.approval = 'manual'; delete s.frontend; }));
    spawned.length = 0;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual(['chat-dev/frontend plan -destroy']);
    let env = await get();
    const plan = env.status.tiers.frontend.lastPlan!;
    expect(plan.id).toMatch(/^frontend-destroy-[0-9a-f]{12}$/);
    expect(plan.destroy).toBeGreaterThan(0);
    expect(cond(env, 'Planned', 'frontend')).toMatchObject({ status: 'False', reason: 'AwaitingApproval' });
    expect(cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'AwaitingApproval' });

    spawned.length = 0;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual([]); // waiting: no terraform

    await store.update({ ...spec((s) => { s.approval = 'manual'; delete s.frontend; }), metadata: { name: 'chat-dev', annotations: { [ANNOTATIONS.approvePlan]: plan.id } } });
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual(['chat-dev/frontend apply']);
    env = await get();
    expect(env.status.tiers.frontend).toBeUndefined();
    expect(cond(env, 'Ready')?.status).toBe('True');
  });

  it('destroys a dropped tier from its state alone when this replica has lost the stack that built it', async () => {
    const spec = (edit: (s: any) => void) => devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; edit(s); });
    await store.create(spec(() => {}));
    await reconciler.reconcile('chat-dev', signal());
    expect(tf(tierDir('frontend'), 'state', 'list')).toContain('terraform_data');
    rmSync(join(tierDir('frontend'), 'cdk.tf.json')); // e.g. another replica applied it, or a container restarted
    await store.update(spec((s) => delete s.frontend));
    spawned.length = 0;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toContain('chat-dev/frontend apply -destroy');
    const env = await get();
    expect(env.status.tiers.frontend).toBeUndefined();
    expect(cond(env, 'Ready')?.status).toBe('True');
    const destroyed = (await store.listEvents('chat-dev')).items.find((e) => e.tier === 'frontend' && e.action === 'destroy');
    expect(destroyed?.changes?.destroy).toBeGreaterThan(0);
  });

  it('shows a held state lock as StateLocked, backs off, and recovers once the lock is gone', async () => {
    await store.create(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; }));
    await reconciler.reconcile('chat-dev', signal());
    await store.update(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; s.network.cidr = '10.11.0.0/16'; }));

    // `terraform console` holds the state lock for as long as it runs: a real competing terraform.
    const holder = spawn('terraform', ['console'], { cwd: tierDir('network'), env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: join(dir.path, 'terraform.rc') }, stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await lockTaken(tierDir('network'));
      await expect(reconciler.reconcile('chat-dev', signal())).rejects.toBeInstanceOf(RetryableError);
      const env = await get();
      expect(cond(env, 'Ready', 'network')).toMatchObject({ status: 'False', reason: 'StateLocked' });
      expect(cond(env, 'Ready', 'network')?.message).toMatch(/state lock/i);
      expect(cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'TierFailed' });
      expect(cond(env, 'Reconciling')).toMatchObject({ status: 'True', reason: 'ProgressingWithRetry' });
      expect(cond(env, 'Ready', 'frontend')?.status).toBe('True'); // independent tiers go on
    } finally {
      holder.stdin.end();
      await new Promise((r) => holder.once('close', r));
    }
    await reconciler.reconcile('chat-dev', signal());
    const env = await get();
    expect(cond(env, 'Ready', 'network')).toMatchObject({ status: 'True' });
    expect(cond(env, 'Ready')?.status).toBe('True');
  });

  it('shows a broken working directory as PlanFailed with terraform\'s words, and recovers once it is mended', async () => {
    const small = () => devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; delete s.frontend; });
    await store.create(small());
    await reconciler.reconcile('chat-dev', signal());
    const state = join(tierDir('network'), 'terraform.tfstate');
    const good = readFileSync(state, 'utf8');
    writeFileSync(state, '{ this is not a state file');
    await store.update(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; delete s.frontend; s.network.cidr = '10.13.0.0/16'; }));
    await expect(reconciler.reconcile('chat-dev', signal())).rejects.toBeInstanceOf(RetryableError);
    let env = await get();
    expect(cond(env, 'Ready', 'network')).toMatchObject({ status: 'False', reason: 'PlanFailed' });
    expect(cond(env, 'Ready', 'network')?.message).toMatch(/Unsupported state file format/);
    expect(cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'TierFailed' });

    writeFileSync(state, good);
    await reconciler.reconcile('chat-dev', signal());
    env = await get();
    expect(cond(env, 'Ready', 'network')?.status).toBe('True');
    expect(cond(env, 'Ready')?.status).toBe('True');
    expect(small().spec.network?.cidr).not.toBe(env.spec.network?.cidr);
  });

  it('waits for approval of a plan, applies exactly that plan, and drops it for a newer spec', async () => {
    const manual = (edit: (s: any) => void = () => {}) => devEnvironment('chat-dev', (s) => { s.approval = 'manual'; delete s.data; delete s.compute; delete s.observability; delete s.frontend; edit(s); });
    await store.create(manual());
    await reconciler.reconcile('chat-dev', signal());
    let env = await get();
    expect(cond(env, 'Planned', 'network')).toMatchObject({ status: 'False', reason: 'AwaitingApproval' });
    expect(cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'AwaitingApproval' });
    const first = env.status.tiers.network.lastPlan!;
    expect(first.add).toBeGreaterThan(0);
    expect(spawned.some((s) => s.endsWith(' apply'))).toBe(false);

    spawned.length = 0;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual([]); // no re-plan while waiting

    // A newer spec discards the unapproved plan.
    await store.update(manual((s) => (s.network.cidr = '10.12.0.0/16')));
    await reconciler.reconcile('chat-dev', signal());
    env = await get();
    const second = env.status.tiers.network.lastPlan!;
    expect(second.id).not.toBe(first.id);

    // Approving the old plan does nothing; approving the current one applies it without a new plan.
    await store.update({ ...manual((s) => (s.network.cidr = '10.12.0.0/16')), metadata: { name: 'chat-dev', annotations: { [ANNOTATIONS.approvePlan]: first.id } } });
    spawned.length = 0;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual([]);
    await store.update({ ...manual((s) => (s.network.cidr = '10.12.0.0/16')), metadata: { name: 'chat-dev', annotations: { [ANNOTATIONS.approvePlan]: second.id } } });
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual(['chat-dev/network apply', 'chat-dev/network output']);
    env = await get();
    expect(cond(env, 'Applied', 'network')?.message).toContain(second.id);
    expect(cond(env, 'Ready')?.status).toBe('True');
  });

  it('finds drift once the interval passed, and corrects it', async () => {
    await store.create(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; delete s.frontend; s.driftDetection.interval = '1h'; }));
    await reconciler.reconcile('chat-dev', signal());
    const vpc = tf(tierDir('network'), 'state', 'list').split('\n').find((l) => l.includes('vpc'))!;
    tf(tierDir('network'), 'state', 'rm', vpc); // someone removed it behind terrace's back
    spawned.length = 0;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual([]); // not due yet

    now += 2 * 3_600_000;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toContain('chat-dev/network apply');
    const env = await get();
    expect(cond(env, 'Drifted', 'network')).toMatchObject({ status: 'False', reason: 'DriftCorrected' });
    const events = (await store.listEvents('chat-dev')).items;
    expect(events.some((e) => e.action === 'drift-check' && /drift found/.test(e.message ?? ''))).toBe(true);
    expect(tf(tierDir('network'), 'state', 'list')).toContain(vpc);

    spawned.length = 0;
    now += 2 * 3_600_000;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual(['chat-dev/network plan']);
    expect(cond(await get(), 'Drifted', 'network')).toMatchObject({ status: 'False', reason: 'NoDrift' });
  });

  it('stalls on a stored spec that no longer validates, naming the field, without running terraform', async () => {
    const env = devEnvironment();
    await store.create(env);
    // Written behind the API's back (by hand or an older terrace): the store itself does not validate.
    await store.update({ ...env, spec: { ...env.spec, compute: { ...env.spec.compute!, services: [{ ...env.spec.compute!.services[0], cpu: 300 }] } } });
    await expect(reconciler.reconcile('chat-dev', signal())).rejects.toBeInstanceOf(TerminalError);
    const stalled = cond(await get(), 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(stalled?.message).toContain('spec.compute.services[0].cpu: 300 is not a Fargate size');
    expect(spawned).toEqual([]);
  });

  it('plans every tier again when asked to reconcile now, once per request', async () => {
    const small = (annotations?: Record<string, string>) => ({ ...devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; }), metadata: { name: 'chat-dev', ...(annotations ? { annotations } : {}) } });
    await store.create(small());
    await reconciler.reconcile('chat-dev', signal());
    spawned.length = 0;
    now += 1_000;
    await store.update(small({ [ANNOTATIONS.requestedAt]: new Date(now).toISOString() }));
    now += 1_000;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual(['chat-dev/network plan', 'chat-dev/frontend plan']);
    spawned.length = 0;
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual([]);
  });

  it('runs nothing for a suspended environment and says so', async () => {
    await store.create(devEnvironment('chat-dev', (s) => (s.suspend = true)));
    await reconciler.reconcile('chat-dev', signal());
    expect(spawned).toEqual([]);
    const env = await get();
    expect(cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'Suspended' });
    expect(env.status.observedGeneration).toBe(env.metadata.generation);
  });

  it('stalls on a guardrail violation (no terraform for the blocked tier and its dependents) or a missing target (none at all)', async () => {
    const guardedTerraform = countingTerraform(dir.path);
    const guarded = testReconciler({
      store, dataDir: dir.path, terraform: guardedTerraform.terraform,
      synthesize: (input) => ({ ...synthesizeTier(input), violations: input.tier === 'network' ? [{ rule: 'no-open-ingress', address: 'aws_security_group.db', message: 'open to 0.0.0.0/0' }] : [] }),
    });
    await store.create(devEnvironment());
    await expect(guarded.reconcile('chat-dev', signal())).rejects.toBeInstanceOf(TerminalError);
    let env = await get();
    expect(cond(env, 'Stalled')).toMatchObject({ status: 'True', reason: 'GuardrailViolation' });
    expect(cond(env, 'Synthesized', 'network')?.message).toContain('aws_security_group.db');
    expect(existsSync(tierDir('network'))).toBe(false);
    // Only the frontend, which needs no other tier, went ahead.
    expect(new Set(guardedTerraform.spawned.map((s) => s.split(' ')[0]))).toEqual(new Set(['chat-dev/frontend']));
    expect(cond(env, 'Ready', 'compute')).toMatchObject({ status: 'False', reason: 'DependencyNotReady' });

    await store.create(devEnvironment('chat-other', (s) => (s.target = 'nowhere')));
    await expect(reconciler.reconcile('chat-other', signal())).rejects.toBeInstanceOf(TerminalError);
    await expect(reconciler.reconcile('chat-other', signal())).rejects.toBeInstanceOf(TerminalError);
    env = await get('chat-other');
    expect(cond(env, 'Stalled')).toMatchObject({ status: 'True', reason: 'TargetNotFound' });
    expect(spawned).toEqual([]);
    expect((await store.listEvents('chat-other')).items).toHaveLength(1); // a resync does not repeat the event
  });
});
