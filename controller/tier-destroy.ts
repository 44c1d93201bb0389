import type { Tier } from '../specs/environment.ts';
import type { EnvironmentStatus } from '../specs/status.ts';
import type { StoredEnvironment, StoredTarget } from '../specs/store/types.ts';
import { TierError } from './errors.ts';
import type { Synthesize } from './synth-cache.ts';
import { failure, type TierStepDeps } from './tier-step.ts';

/**
 * Destroys one tier with the stack that built it (the last one written here), or a fresh synthesis
 * on a replica that never ran it. Throws TierError when terraform fails; the tier stays visible.
 */
export async function destroyTier(
  deps: TierStepDeps,
  env: StoredEnvironment,
  tier: Tier,
  target: StoredTarget | undefined,
  status: EnvironmentStatus,
  synthesize: Synthesize,
  signal: AbortSignal,
): Promise<void> {
  const name = env.metadata.name;
  let json = deps.workdirs.lastStack(name, tier);
  if (!json) {
    if (!target) throw new TierError('TargetNotFound', `cannot destroy ${tier}: Target ${env.spec.target} is gone and no stack is left here`);
    const inputs = Object.fromEntries(Object.entries(status.tiers).filter(([t, s]) => t !== tier && s.outputs).map(([t, s]) => [t, s.outputs]));
    json = synthesize({ environment: env, target, tier, inputs: inputs as never }).json;
  }
  const { dir, needsInit, initKey } = deps.workdirs.prepare(name, tier, json);
  const run = { timeoutMs: deps.timeoutMs, signal };
  await deps.beforeRun(tier);
  if (needsInit) {
    const init = await deps.terraform.init(dir, run);
    if (init.code !== 0) throw failure('InitFailed', init);
    deps.workdirs.markInitialized(dir, initKey);
  }
  const destroyed = await deps.terraform.destroy(dir, run);
  if (destroyed.code !== 0) {
    await deps.appendEvent({ tier, action: 'destroy', outcome: 'Failed', message: failure('DestroyFailed', destroyed).message, durationMs: destroyed.durationMs });
    throw failure('DestroyFailed', destroyed);
  }
  const changes = destroyed.parsed.changes;
  await deps.appendEvent({ tier, action: 'destroy', outcome: 'Succeeded', durationMs: destroyed.durationMs, ...(changes ? { changes: { add: 0, change: 0, destroy: changes.remove } } : {}) });
  deps.workdirs.removeTier(name, tier);
}
