import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANNOTATIONS } from '../specs/meta.ts';
import { devEnvironment, hookedTerraform, reconcilerFixture, testReconciler, tierOf } from '../test/support/controller.ts';
import { RetryableError } from './errors.ts';

const fx = reconcilerFixture();

describe('deleting an environment, and tiers the spec stops declaring, with real terraform', () => {
  it('destroys tiers in reverse order on deletion and removes the items', async () => {
    await fx.store.create(devEnvironment());
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.tf(fx.tierDir('network'), 'state', 'list')).toContain('terraform_data');
    fx.spawned.length = 0;
    await fx.store.markDeleted('Environment', 'chat-dev');
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned.filter((s) => s.includes('-destroy')).map((s) => s.split(' ')[0])).toEqual([
      'chat-dev/observability', 'chat-dev/frontend', 'chat-dev/compute', 'chat-dev/data', 'chat-dev/network',
    ]);
    expect(await fx.store.get('Environment', 'chat-dev')).toBeUndefined();
    expect(existsSync(join(fx.dataDir, 'work', 'chat-dev'))).toBe(false);
  });

  it('shows each tier as Deleting in the store before terraform destroys it', async () => {
    await fx.store.create(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; }));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    await fx.store.markDeleted('Environment', 'chat-dev');
    const seen: Record<string, unknown> = {};
    // What a client reading the environment sees at the moment each destroy starts.
    const watched = hookedTerraform(fx.terraform, {
      before: async (command, d) => {
        if (command !== 'destroy') return;
        const env = await fx.get();
        seen[tierOf(d)] = { tier: fx.cond(env, 'Ready', tierOf(d)), env: fx.cond(env, 'Reconciling')?.message };
      },
    });
    await testReconciler({ store: fx.store, dataDir: fx.dataDir, terraform: watched, clock: fx.clock }).reconcile('chat-dev', fx.signal());
    expect(seen).toEqual({
      frontend: { tier: expect.objectContaining({ status: 'False', reason: 'Deleting' }), env: 'destroying frontend' },
      network: { tier: expect.objectContaining({ status: 'False', reason: 'Deleting' }), env: 'destroying network' },
    });
    expect(await fx.store.get('Environment', 'chat-dev')).toBeUndefined();
  });

  it('keeps a failed destroy visible, retries it, and finishes once it can', async () => {
    await fx.store.create(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; }));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    const state = join(fx.tierDir('network'), 'terraform.tfstate');
    const good = readFileSync(state, 'utf8');
    writeFileSync(state, '{ broken');
    await fx.store.markDeleted('Environment', 'chat-dev');
    await expect(fx.reconciler.reconcile('chat-dev', fx.signal())).rejects.toBeInstanceOf(RetryableError);
    const env = await fx.get();
    expect(env.status.tiers.frontend).toBeUndefined(); // destroyed first, as it depends on nothing
    expect(fx.cond(env, 'Ready', 'network')).toMatchObject({ status: 'False', reason: 'DestroyFailed' });
    expect(fx.cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'DestroyFailed' });

    writeFileSync(state, good);
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(await fx.store.get('Environment', 'chat-dev')).toBeUndefined();
  });

  it('destroys a tier that the spec stops declaring', async () => {
    await fx.store.create(devEnvironment());
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    fx.spawned.length = 0;
    await fx.store.update(devEnvironment('chat-dev', (s) => delete s.frontend));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toContain('chat-dev/frontend apply -destroy');
    const env = await fx.get();
    expect(env.status.tiers.frontend).toBeUndefined();
    expect(fx.cond(env, 'Ready')?.status).toBe('True');
  });

  it('asks for approval before destroying a tier the spec stops declaring (manual approval)', async () => {
    const spec = (edit: (s: any) => void) => devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; edit(s); });
    await fx.store.create(spec(() => {}));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    await fx.store.update(spec((s) => { s.approval = 'manual'; delete s.frontend; }));
    fx.spawned.length = 0;
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual(['chat-dev/frontend plan -destroy']);
    let env = await fx.get();
    const plan = env.status.tiers.frontend.lastPlan!;
    expect(plan.id).toMatch(/^frontend-destroy-[0-9a-f]{12}$/);
    expect(plan.destroy).toBeGreaterThan(0);
    expect(fx.cond(env, 'Planned', 'frontend')).toMatchObject({ status: 'False', reason: 'AwaitingApproval' });
    expect(fx.cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'AwaitingApproval' });

    fx.spawned.length = 0;
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual([]); // waiting: no terraform

    await fx.store.update({ ...spec((s) => { s.approval = 'manual'; delete s.frontend; }), metadata: { name: 'chat-dev', annotations: { [ANNOTATIONS.approvePlan]: plan.id } } });
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toEqual(['chat-dev/frontend apply']);
    env = await fx.get();
    expect(env.status.tiers.frontend).toBeUndefined();
    expect(fx.cond(env, 'Ready')?.status).toBe('True');
  });

  it('destroys a dropped tier from its state alone when this replica has lost the stack that built it', async () => {
    const spec = (edit: (s: any) => void) => devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; edit(s); });
    await fx.store.create(spec(() => {}));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.tf(fx.tierDir('frontend'), 'state', 'list')).toContain('terraform_data');
    rmSync(join(fx.tierDir('frontend'), 'cdk.tf.json')); // e.g. another replica applied it, or a container restarted
    await fx.store.update(spec((s) => delete s.frontend));
    fx.spawned.length = 0;
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(fx.spawned).toContain('chat-dev/frontend apply -destroy');
    const env = await fx.get();
    expect(env.status.tiers.frontend).toBeUndefined();
    expect(fx.cond(env, 'Ready')?.status).toBe('True');
    const destroyed = (await fx.store.listEvents('chat-dev')).items.find((e) => e.tier === 'frontend' && e.action === 'destroy');
    expect(destroyed?.changes?.destroy).toBeGreaterThan(0);
  });
});
