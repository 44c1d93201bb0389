import { spawn } from 'node:child_process';
import { existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesizeTier } from '../constructs/index.ts';
import { ANNOTATIONS } from '../specs/meta.ts';
import { countingTerraform, devEnvironment, reconcilerFixture, testReconciler } from '../test/support/controller.ts';
import { RetryableError, TerminalError } from './errors.ts';

const fx = reconcilerFixture();

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
    await fx.store.create(devEnvironment());
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    const env = await fx.get();
    for (const tier of ['network', 'data', 'compute', 'frontend', 'observability']) {
      expect(fx.cond(env, 'Ready', tier), tier).toMatchObject({ status: 'True', observedGeneration: 1 });
      expect(fx.cond(env, 'Applied', tier)?.status).toBe('True');
      expect(env.status.tiers[tier].lastAppliedHash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(fx.cond(env, 'Ready')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(fx.cond(env, 'Reconciling')?.status).toBe('False');
    expect(env.status.observedGeneration).toBe(env.metadata.generation);
    expect(env.status.tiers.network.outputs?.vpcId).toMatch(/^vpc-/);
    expect(env.status.tiers.data.outputs?.postgresEndpoint).toBeTruthy();
    // frontend depends on nothing and runs alongside the others (tier-concurrency.test.ts): order aside, one apply each.
    expect(fx.spawned.filter((s) => s.endsWith(' apply')).sort()).toEqual(['chat-dev/compute apply', 'chat-dev/data apply', 'chat-dev/frontend apply', 'chat-dev/network apply', 'chat-dev/observability apply']);
    const events = (await fx.store.listEvents('chat-dev')).items;
    expect(events.filter((e) => e.action === 'apply' && e.outcome === 'Succeeded').map((e) => e.tier).sort()).toEqual(['compute', 'data', 'frontend', 'network', 'observability']);
    expect(events[0].changes?.add).toBeGreaterThan(0);
  });

  it('re-applies only the tiers whose stacks changed, and runs no terraform when nothing changed', async () => {
    await fx.store.create(devEnvironment());
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    fx.spawned.length = 0;
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual([]);

    const before = await fx.get();
    await fx.store.update(devEnvironment('chat-dev', (s) => (s.compute.services[0].desiredCount = 2)));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual(['chat-dev/compute plan', 'chat-dev/compute apply']); // outputs come from apply's own message
    const after = await fx.get();
    expect(after.status.observedGeneration).toBe(2);
    expect(fx.cond(after, 'Ready')?.status).toBe('True');
    expect(after.status.tiers.network.lastAppliedAt).toBe(before.status.tiers.network.lastAppliedAt);
    expect(after.status.tiers.compute.lastPlan).toMatchObject({ add: 0, destroy: 0 });
    expect(after.status.tiers.compute.lastPlan!.change).toBeGreaterThan(0);

    fx.spawned.length = 0;
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual([]);
  });

  it('shows a held state lock as StateLocked, backs off, and recovers once the lock is gone', async () => {
    await fx.store.create(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; }));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    await fx.store.update(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; s.network.cidr = '10.11.0.0/16'; }));

    // `terraform console` holds the state lock for as long as it runs: a real competing terraform.
    const holder = spawn('terraform', ['console'], { cwd: fx.tierDir('network'), env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: join(fx.dataDir, 'terraform.rc') }, stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await lockTaken(fx.tierDir('network'));
      await expect(fx.reconciler.reconcile('chat-dev', fx.signal())).rejects.toBeInstanceOf(RetryableError);
      const env = await fx.get();
      expect(fx.cond(env, 'Ready', 'network')).toMatchObject({ status: 'False', reason: 'StateLocked' });
      expect(fx.cond(env, 'Ready', 'network')?.message).toMatch(/state lock/i);
      expect(fx.cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'TierFailed' });
      expect(fx.cond(env, 'Reconciling')).toMatchObject({ status: 'True', reason: 'ProgressingWithRetry' });
      expect(fx.cond(env, 'Ready', 'frontend')?.status).toBe('True'); // independent tiers go on
    } finally {
      holder.stdin.end();
      await new Promise((r) => holder.once('close', r));
    }
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    const env = await fx.get();
    expect(fx.cond(env, 'Ready', 'network')).toMatchObject({ status: 'True' });
    expect(fx.cond(env, 'Ready')?.status).toBe('True');
  });

  it('shows a broken working directory as PlanFailed with terraform\'s words, and recovers once it is mended', async () => {
    const small = () => devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; delete s.frontend; });
    await fx.store.create(small());
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    const state = join(fx.tierDir('network'), 'terraform.tfstate');
    const good = readFileSync(state, 'utf8');
    writeFileSync(state, '{ this is not a state file');
    await fx.store.update(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; delete s.frontend; s.network.cidr = '10.13.0.0/16'; }));
    await expect(fx.reconciler.reconcile('chat-dev', fx.signal())).rejects.toBeInstanceOf(RetryableError);
    let env = await fx.get();
    expect(fx.cond(env, 'Ready', 'network')).toMatchObject({ status: 'False', reason: 'PlanFailed' });
    expect(fx.cond(env, 'Ready', 'network')?.message).toMatch(/Unsupported state file format/);
    expect(fx.cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'TierFailed' });

    writeFileSync(state, good);
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    env = await fx.get();
    expect(fx.cond(env, 'Ready', 'network')?.status).toBe('True');
    expect(fx.cond(env, 'Ready')?.status).toBe('True');
    expect(small().spec.network?.cidr).not.toBe(env.spec.network?.cidr);
  });

  it('waits for approval of a plan, applies exactly that plan, and drops it for a newer spec', async () => {
    const manual = (edit: (s: any) => void = () => {}) => devEnvironment('chat-dev', (s) => { s.approval = 'manual'; delete s.data; delete s.compute; delete s.observability; delete s.frontend; edit(s); });
    await fx.store.create(manual());
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    let env = await fx.get();
    expect(fx.cond(env, 'Planned', 'network')).toMatchObject({ status: 'False', reason: 'AwaitingApproval' });
    expect(fx.cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'AwaitingApproval' });
    const first = env.status.tiers.network.lastPlan!;
    expect(first.add).toBeGreaterThan(0);
    expect(fx.spawned.some((s) => s.endsWith(' apply'))).toBe(false);

    fx.spawned.length = 0;
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual([]); // no re-plan while waiting

    // A newer spec discards the unapproved plan.
    await fx.store.update(manual((s) => (s.network.cidr = '10.12.0.0/16')));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    env = await fx.get();
    const second = env.status.tiers.network.lastPlan!;
    expect(second.id).not.toBe(first.id);

    // Approving the old plan does nothing; approving the current one applies it without a new plan.
    await fx.store.update({ ...manual((s) => (s.network.cidr = '10.12.0.0/16')), metadata: { name: 'chat-dev', annotations: { [ANNOTATIONS.approvePlan]: first.id } } });
    fx.spawned.length = 0;
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual([]);
    await fx.store.update({ ...manual((s) => (s.network.cidr = '10.12.0.0/16')), metadata: { name: 'chat-dev', annotations: { [ANNOTATIONS.approvePlan]: second.id } } });
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual(['chat-dev/network apply']);
    env = await fx.get();
    expect(fx.cond(env, 'Applied', 'network')?.message).toContain(second.id);
    expect(fx.cond(env, 'Ready')?.status).toBe('True');
  });

  it('finds drift once the interval passed, and corrects it', async () => {
    await fx.store.create(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; delete s.frontend; s.driftDetection.interval = '1h'; }));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    const vpc = fx.tf(fx.tierDir('network'), 'state', 'list').split('\n').find((l) => l.includes('vpc'))!;
    fx.tf(fx.tierDir('network'), 'state', 'rm', vpc); // someone removed it behind terrace's back
    fx.spawned.length = 0;
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual([]); // not due yet

    fx.advance(2 * 3_600_000);
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toContain('chat-dev/network apply');
    const env = await fx.get();
    expect(fx.cond(env, 'Drifted', 'network')).toMatchObject({ status: 'False', reason: 'DriftCorrected' });
    const events = (await fx.store.listEvents('chat-dev')).items;
    expect(events.some((e) => e.action === 'drift-check' && /drift found/.test(e.message ?? ''))).toBe(true);
    expect(fx.tf(fx.tierDir('network'), 'state', 'list')).toContain(vpc);

    fx.spawned.length = 0;
    fx.advance(2 * 3_600_000);
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual(['chat-dev/network plan']);
    expect(fx.cond(await fx.get(), 'Drifted', 'network')).toMatchObject({ status: 'False', reason: 'NoDrift' });
  });

  it('stalls on a stored spec that no longer validates, naming the field, without running terraform', async () => {
    const env = devEnvironment();
    await fx.store.create(env);
    // Written behind the API's back (by hand or an older terrace): the store itself does not validate.
    await fx.store.update({ ...env, spec: { ...env.spec, compute: { ...env.spec.compute!, services: [{ ...env.spec.compute!.services[0], cpu: 300 }] } } });
    await expect(fx.reconciler.reconcile('chat-dev', fx.signal())).rejects.toBeInstanceOf(TerminalError);
    const stalled = fx.cond(await fx.get(), 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(stalled?.message).toContain('spec.compute.services[0].cpu: 300 is not a Fargate size');
    expect(fx.spawned).toEqual([]);
  });

  it('plans every tier again when asked to reconcile now, once per request', async () => {
    const small = (annotations?: Record<string, string>) => ({ ...devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; }), metadata: { name: 'chat-dev', ...(annotations ? { annotations } : {}) } });
    await fx.store.create(small());
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    fx.spawned.length = 0;
    fx.advance(1_000);
    await fx.store.update(small({ [ANNOTATIONS.requestedAt]: new Date(fx.clock.now()).toISOString() }));
    fx.advance(1_000);
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual(['chat-dev/network plan', 'chat-dev/frontend plan']);
    fx.spawned.length = 0;
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual([]);
  });

  it('runs nothing for a suspended environment and says so', async () => {
    await fx.store.create(devEnvironment('chat-dev', (s) => (s.suspend = true)));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual([]);
    const env = await fx.get();
    expect(fx.cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'Suspended' });
    expect(env.status.observedGeneration).toBe(env.metadata.generation);
  });

  it('stalls on a guardrail violation (no terraform for the blocked tier and its dependents) or a missing target (none at all)', async () => {
    const guardedTerraform = countingTerraform(fx.dataDir);
    const guarded = testReconciler({
      store: fx.store, dataDir: fx.dataDir, terraform: guardedTerraform.terraform,
      synthesize: (input) => ({ ...synthesizeTier(input), violations: input.tier === 'network' ? [{ rule: 'no-open-ingress', address: 'aws_security_group.db', message: 'open to 0.0.0.0/0' }] : [] }),
    });
    await fx.store.create(devEnvironment());
    await expect(guarded.reconcile('chat-dev', fx.signal())).rejects.toBeInstanceOf(TerminalError);
    let env = await fx.get();
    expect(fx.cond(env, 'Stalled')).toMatchObject({ status: 'True', reason: 'GuardrailViolation' });
    expect(fx.cond(env, 'Synthesized', 'network')?.message).toContain('aws_security_group.db');
    expect(existsSync(fx.tierDir('network'))).toBe(false);
    // Only the frontend, which needs no other tier, went ahead.
    expect(new Set(guardedTerraform.spawned.map((s) => s.split(' ')[0]))).toEqual(new Set(['chat-dev/frontend']));
    expect(fx.cond(env, 'Ready', 'compute')).toMatchObject({ status: 'False', reason: 'DependencyNotReady' });

    await fx.store.create(devEnvironment('chat-other', (s) => (s.target = 'nowhere')));
    await expect(fx.reconciler.reconcile('chat-other', fx.signal())).rejects.toBeInstanceOf(TerminalError);
    await expect(fx.reconciler.reconcile('chat-other', fx.signal())).rejects.toBeInstanceOf(TerminalError);
    env = await fx.get('chat-other');
    expect(fx.cond(env, 'Stalled')).toMatchObject({ status: 'True', reason: 'TargetNotFound' });
    expect(fx.spawned).toEqual([]);
    expect((await fx.store.listEvents('chat-other')).items).toHaveLength(1); // a resync does not repeat the event
  });
});
