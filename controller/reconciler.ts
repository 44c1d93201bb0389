import type { Logger } from 'pino';
import { findCondition, isTrue } from '../specs/conditions.ts';
import { TIER_DEPENDENCIES, TIERS, declaredTiers, type Tier } from '../specs/environment.ts';
import { approvedPlans } from '../specs/meta.ts';
import type { EnvironmentStatus, TierStatus } from '../specs/status.ts';
import { parseEnvironment, ValidationError } from '../specs/validate.ts';
import { stableStringify } from '../specs/store/stable-json.ts';
import type { EnvironmentEvent, Store, StoredEnvironment, StoredTarget } from '../specs/store/types.ts';
import type { Clock } from './clock.ts';
import { environmentConditions, tierReady } from './env-conditions.ts';
import { RetryableError, TerminalError, TierError } from './errors.ts';
import type { ControllerObserver } from './observer.ts';
import { errorMessage } from './redact.ts';
import type { TerraformRunner } from './runner.ts';
import type { Synthesize } from './synth-cache.ts';
import { setTierConditions } from './tier-conditions.ts';
import { destroyTier, type Teardown } from './tier-destroy.ts';
import { reconcileTier, type TierStepDeps } from './tier-step.ts';
import type { WorkDirs } from './workdirs.ts';

export interface ReconcilerDeps {
  store: Store;
  terraform: TerraformRunner;
  workdirs: WorkDirs;
  synthesize: Synthesize;
  /** The provider-and-backend stack that destroys a tier from its state alone. */
  teardown: Teardown;
  clock: Clock;
  log: Logger;
  timeoutMs: number;
  staleLockMs: number;
  observer?: ControllerObserver;
}

export interface ReconcileResult {
  /** Come back then (the next drift check), even if nothing changes. */
  requeueAfterMs?: number;
}

/**
 * Level-based: given only a name, read the latest spec and status and move the world one pass closer.
 * Throws RetryableError (back off and retry) or TerminalError (wait for a spec change).
 */
export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  async reconcile(name: string, signal: AbortSignal): Promise<ReconcileResult> {
    const env = await this.deps.store.get('Environment', name);
    if (!env) return {};
    const pass = new Pass(this.deps, env, signal);
    if (env.metadata.deletionTimestamp) return pass.finalize();
    return pass.run();
  }
}

/** One reconcile of one environment: holds the status being built and writes it only when it changed. */
class Pass {
  private status: EnvironmentStatus;
  private written: string;
  private readonly name: string;
  private readonly generation: number;

  constructor(
    private readonly deps: ReconcilerDeps,
    private readonly env: StoredEnvironment,
    private readonly signal: AbortSignal,
  ) {
    this.status = structuredClone(env.status);
    this.written = stableStringify(env.status);
    this.name = env.metadata.name;
    this.generation = env.metadata.generation!;
  }

  async run(): Promise<ReconcileResult> {
    const { spec } = this.env;
    if (spec.suspend) {
      this.summarize({ kind: 'suspended' });
      await this.save(true);
      return {};
    }
    // The table may hold a spec written by hand or by an older terrace: never run terraform on an invalid one.
    const problems = validationProblems(this.env);
    if (problems) return this.stall('InvalidSpec', problems);
    const target = await this.deps.store.get('Target', spec.target);
    if (!target) return this.stall('TargetNotFound', `Target ${spec.target} does not exist`);
    if (target.metadata.deletionTimestamp) return this.stall('TargetDeleting', `Target ${spec.target} is being deleted`);

    const declared = declaredTiers(spec);
    const failures: TierError[] = [];
    let awaiting = false;
    let nextCheck = Infinity;
    for (const tier of declared) {
      if (this.signal.aborted) throw new RetryableError(`${this.name}: cancelled (shutdown or lost lease)`);
      const waitingFor = TIER_DEPENDENCIES[tier].filter((d) => declared.includes(d) && !tierReady(this.status, d));
      const previous = this.status.tiers[tier] ?? { conditions: [] };
      if (waitingFor.length > 0) {
        this.status.tiers[tier] = this.tierConditions(previous, { Ready: ['False', 'DependencyNotReady', `waiting for ${waitingFor.join(', ')}`] });
        continue;
      }
      try {
        const result = await this.reconcileOne(tier, target, previous);
        this.status.tiers[tier] = result.status;
        if (result.outcome === 'applied' || (result.outcome === 'no-changes' && !tierReady(this.env.status, tier))) {
          this.deps.log.info({ environment: this.name, tier, plan: result.status.lastPlan?.id }, `${this.name}: ${tier} is Ready`);
        } else if (result.outcome === 'awaiting-approval' && result.status.lastPlan?.id !== previous.lastPlan?.id) {
          this.deps.log.info({ environment: this.name, tier, plan: result.status.lastPlan?.id }, `${this.name}: ${tier} plan ${result.status.lastPlan?.id} awaits approval`);
        }
        awaiting ||= result.outcome === 'awaiting-approval';
        if (result.nextCheckMs) nextCheck = Math.min(nextCheck, result.nextCheckMs);
      } catch (err) {
        const failure = err instanceof TierError ? err : new TierError('InternalError', errorMessage(String((err as Error)?.message ?? err)));
        failures.push(failure);
        this.status.tiers[tier] = this.tierConditions(this.status.tiers[tier] ?? previous, this.failedConditions(failure));
        this.deps.log.warn({ environment: this.name, tier, reason: failure.reason }, `${this.name}: ${tier} failed (${failure.reason}): ${failure.message.split('\n')[0]}`);
      }
      await this.save();
    }
    awaiting = (await this.prune(declared, target)) || awaiting;

    const terminal = failures.find((f) => f.terminal);
    if (terminal) return this.stall(terminal.reason, terminal.message);
    if (failures.length > 0) {
      this.summarize({ kind: 'retrying', reason: 'TierFailed', message: failures.map((f) => `${f.reason}: ${f.message.split('\n')[0]}`).join('; ') });
      await this.save(true);
      throw new RetryableError(`${this.name}: ${failures.map((f) => f.reason).join(', ')}`);
    }
    if (awaiting) this.summarize({ kind: 'awaiting', message: 'a plan awaits approval' });
    else {
      this.summarize({ kind: 'ready' });
      const wasReady = isTrue(this.env.status.conditions, 'Ready') && this.env.status.observedGeneration === this.generation;
      if (!wasReady) this.deps.log.info({ environment: this.name, generation: this.generation }, `${this.name} is Ready: ${declared.length} tiers applied (generation ${this.generation})`);
    }
    await this.save(true);
    return Number.isFinite(nextCheck) ? { requeueAfterMs: nextCheck } : {};
  }

  async finalize(): Promise<ReconcileResult> {
    const present = [...TIERS].reverse().filter((t) => this.status.tiers[t] || this.deps.workdirs.lastStack(this.name, t));
    const target = await this.deps.store.get('Target', this.env.spec.target);
    for (const tier of present) {
      this.summarize({ kind: 'progressing', message: `destroying ${tier}` });
      await this.destroy(tier, target);
    }
    this.deps.workdirs.remove(this.name);
    await this.deps.store.remove('Environment', this.name);
    this.deps.log.info({ environment: this.name }, 'environment deleted: every tier destroyed');
    return {};
  }

  private async reconcileOne(tier: Tier, target: StoredTarget, previous: TierStatus) {
    const inputs = Object.fromEntries(TIER_DEPENDENCIES[tier].filter((d) => this.status.tiers[d]?.outputs).map((d) => [d, this.status.tiers[d].outputs]));
    let stack;
    try {
      stack = this.deps.synthesize({ environment: this.env, target, tier, inputs: inputs as never });
    } catch (err) {
      throw new TierError('SynthesisFailed', errorMessage((err as Error).message), true);
    }
    if (stack.violations.length > 0) {
      const message = stack.violations.map((v) => `${v.rule}: ${v.address}: ${v.message}`).join('\n');
      this.status.tiers[tier] = this.tierConditions(previous, { Synthesized: ['False', 'GuardrailViolation', errorMessage(message)] });
      throw new TierError('GuardrailViolation', errorMessage(message), true);
    }
    const started = this.deps.clock.now();
    const observe = (outcome: string) => this.deps.observer?.tierReconciled({ environment: this.name, tier, outcome, seconds: (this.deps.clock.now() - started) / 1000 });
    try {
      const result = await reconcileTier(this.stepDeps(), this.env, tier, stack, previous, this.signal);
      if (result.outcome !== 'unchanged') observe(result.outcome);
      return result;
    } catch (err) {
      observe('failed');
      throw err;
    }
  }

  /** Destroys a tier, or with `gate` (manual approval) stops at a destroy plan; true when it is gone. */
  private async destroy(tier: Tier, target: StoredTarget | undefined, gate?: { approved: string[] }): Promise<boolean> {
    if (this.signal.aborted) throw new RetryableError(`${this.name}: cancelled (shutdown or lost lease)`);
    const previous = this.status.tiers[tier] ?? { conditions: [] };
    this.status.tiers[tier] = this.tierConditions(previous, { Ready: ['False', 'Deleting', 'destroying'] });
    let result;
    try {
      result = await destroyTier(this.stepDeps(), this.env, tier, target, this.deps.teardown, this.signal, gate);
    } catch (err) {
      const failure = err instanceof TierError ? err : new TierError('DestroyFailed', errorMessage(String((err as Error)?.message ?? err)));
      this.status.tiers[tier] = this.tierConditions(this.status.tiers[tier], { Ready: ['False', failure.reason, failure.message] });
      this.summarize({ kind: 'retrying', reason: 'DestroyFailed', message: `${tier}: ${failure.message.split('\n')[0]}` });
      await this.save();
      throw new RetryableError(`${this.name}: destroy of ${tier} failed`);
    }
    if (!result.destroyed) {
      const plan = result.awaiting;
      this.status.tiers[tier] = this.tierConditions({ ...previous, lastPlan: plan }, {
        Planned: ['False', 'AwaitingApproval', `destroy plan ${plan.id}: ${plan.destroy} to destroy; approve it to apply`],
        Ready: ['False', 'AwaitingApproval', `destroy plan ${plan.id} awaits approval (the spec no longer declares ${tier})`],
      });
      await this.save();
      return false;
    }
    delete this.status.tiers[tier];
    await this.save();
    return true;
  }

  /** Tiers the spec no longer declares are destroyed, dependents first; manual approval gates it like any plan. */
  private async prune(declared: Tier[], target: StoredTarget): Promise<boolean> {
    const gate = this.env.spec.approval === 'manual' ? { approved: approvedPlans(this.env.metadata.annotations) } : undefined;
    let awaiting = false;
    for (const tier of [...TIERS].reverse().filter((t) => !declared.includes(t) && this.status.tiers[t])) {
      awaiting = !(await this.destroy(tier, target, gate)) || awaiting;
    }
    return awaiting;
  }

  private stepDeps(): TierStepDeps {
    return {
      terraform: this.deps.terraform,
      workdirs: this.deps.workdirs,
      now: () => new Date(this.deps.clock.now()),
      log: this.deps.log,
      timeoutMs: this.deps.timeoutMs,
      staleLockMs: this.deps.staleLockMs,
      appendEvent: (e) => this.event(e),
      beforeRun: async (tier) => {
        this.status.tiers[tier] = this.tierConditions(this.status.tiers[tier] ?? { conditions: [] }, { Ready: ['Unknown', 'Progressing', 'terraform is running'] });
        this.summarize({ kind: 'progressing', message: `reconciling ${tier}` });
        await this.save();
        this.deps.log.info({ environment: this.name, tier }, `${this.name}: reconciling ${tier}`);
      },
    };
  }

  private async stall(reason: string, message: string): Promise<never> {
    const before = findCondition(this.env.status.conditions, 'Stalled');
    this.summarize({ kind: 'stalled', reason, message });
    await this.save(true);
    // Resyncs find a stalled environment again and again: record it once per reason and generation.
    const known = before?.status === 'True' && before.reason === reason && before.observedGeneration === this.generation;
    if (!known) await this.event({ action: 'reconcile', outcome: 'Failed', message: `${reason}: ${message.split('\n')[0]}` });
    throw new TerminalError(reason, message);
  }

  private failedConditions(f: TierError): Record<string, ['True' | 'False' | 'Unknown', string, string]> {
    const step = f.reason === 'ApplyFailed' ? 'Applied' : f.reason === 'PlanFailed' || f.reason === 'StateLocked' ? 'Planned' : undefined;
    return { Ready: ['False', f.reason, f.message], ...(step ? { [step]: ['False', f.reason, f.message] as ['False', string, string] } : {}) };
  }

  private tierConditions(tier: TierStatus, conds: Parameters<typeof setTierConditions>[3]): TierStatus {
    return setTierConditions(tier, this.generation, new Date(this.deps.clock.now()), conds);
  }

  private summarize(summary: Parameters<typeof environmentConditions>[1]): void {
    this.status.conditions = environmentConditions(this.status.conditions, summary, this.generation, new Date(this.deps.clock.now()));
  }

  /** Writes status when it differs from what was last written; `final` also records the generation it describes. */
  private async save(final = false): Promise<void> {
    // Cancelled by shutdown or a lost lease: another replica may own this environment now, so write nothing.
    if (this.signal.aborted) return;
    if (final) this.status.observedGeneration = this.generation;
    const text = stableStringify(this.status);
    if (text === this.written) return;
    await this.deps.store.updateStatus(this.name, this.status);
    this.written = text;
  }

  private async event(e: Omit<EnvironmentEvent, 'time'>): Promise<void> {
    if (this.signal.aborted) return;
    await this.deps.store.appendEvent(this.name, { ...e, time: new Date(this.deps.clock.now()).toISOString() });
  }
}

function validationProblems(env: StoredEnvironment): string | undefined {
  const { status: _status, ...doc } = env;
  try {
    parseEnvironment(doc);
    return undefined;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
  }
}
