import { findCondition, isTrue, removeCondition, setCondition } from '../specs/conditions.ts';
import { TIER_DEPENDENCIES, TIERS, declaredTiers, type Tier } from '../specs/environment.ts';
import type { EnvironmentStatus, TierStatus } from '../specs/status.ts';
import { stableStringify } from '../specs/store/stable-json.ts';
import type { StoredEnvironment, StoredTarget } from '../specs/store/types.ts';
import { environmentConditions, tierReady } from './env-conditions.ts';
import { isBug, RetryableError, TerminalError, TierError } from './errors.ts';
import { readPending } from './pending-plan.ts';
import type { PassDeps, ReconcileResult } from './reconciler.ts';
import { errorMessage } from './redact.ts';
import { validationProblems } from './spec-check.ts';
import { setTierConditions } from './tier-conditions.ts';
import { decide, runsTerraform, type TierFacts, type Work } from './tier-decide.ts';
import { execute, type Report } from './tier-execute.ts';
import { record, type EventDraft, type Recorded } from './tier-record.ts';
import type { TierStack } from './synth-cache.ts';
import { sha256 } from './workdirs.ts';
import { restingVersion } from './at-rest.ts';
import { verifyPlan } from './verify/plan.ts';
import { verifyRecord } from './verify/result.ts';
import { runChecks } from './verify/run.ts';
import { verificationDue } from './verify/schedule.ts';
import { setUpDatabase } from './db-setup/step.ts';
import { QUEUED_REQUEUE_MS } from './verify/slots.ts';

type Goal = TierFacts['goal'];

/**
 * One reconcile of one environment, and the only writer of its status and events: each tier step decides
 * (pure), runs terraform when needed, and the pass writes what happened. Status is written only when it changed.
 */
export class Pass {
  private status: EnvironmentStatus;
  private written: string;
  private saving: Promise<void> = Promise.resolve();
  /** Something happened in this pass (terraform, a status write, an event): it was not at rest. */
  private busy = false;
  private readonly name: string;
  private readonly generation: number;

  constructor(
    private readonly deps: PassDeps,
    private readonly env: StoredEnvironment,
    private readonly signal: AbortSignal,
    /** A probe (Reconciler.probe): decides as a pass would, and throws WouldAct instead of doing anything. */
    private readonly dry = false,
  ) {
    this.status = structuredClone(env.status);
    this.written = stableStringify(env.status);
    this.name = env.metadata.name;
    this.generation = env.metadata.generation!;
  }

  async run(): Promise<ReconcileResult> {
    const { spec } = this.env;
    // Without spec.verify there is nothing verified: drop the last run whatever this pass ends with.
    if (!spec.verify) this.dropVerification();
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

    const declared = declaredTiers(spec);
    const { failures, ...tiers } = await this.applyTiers(declared, target);
    let { awaiting, nextCheck } = tiers;
    const { applied } = tiers;
    awaiting = (await this.prune(declared, target)) || awaiting;

    const terminal = failures.find((f) => f.terminal);
    if (terminal) return this.stall(terminal.reason, terminal.message);
    if (failures.length > 0) {
      this.summarize({ kind: 'retrying', reason: 'TierFailed', message: failures.map((f) => `${f.reason}: ${firstLine(f.message)}`).join('; ') });
      await this.save(true);
      throw new RetryableError(`${this.name}: ${failures.map((f) => f.reason).join(', ')}`);
    }
    let queued = false;
    if (!awaiting) {
      const verified = await this.verify(target, applied);
      nextCheck = Math.min(nextCheck, verified.nextMs);
      queued = verified.queued;
    }
    if (awaiting) this.summarize({ kind: 'awaiting', message: 'a plan awaits approval' });
    else if (queued) this.summarize({ kind: 'progressing', message: 'every tier is applied; the verification waits for a free slot' });
    else {
      this.summarize({ kind: 'ready' });
      const wasReady = isTrue(this.env.status.conditions, 'Ready') && this.env.status.observedGeneration === this.generation;
      if (!wasReady) this.deps.log.info({ environment: this.name, generation: this.generation }, `${this.name} is Ready: ${declared.length} tiers applied (generation ${this.generation})`);
    }
    await this.save(true);
    const result: ReconcileResult = Number.isFinite(nextCheck) ? { requeueAfterMs: nextCheck } : {};
    if (!this.busy && !queued) result.atRest = restingVersion(this.env, target.metadata.resourceVersion, sha256(this.written));
    return result;
  }

  /**
   * Every declared tier, each as soon as the tiers it depends on have had their step in this pass (frontend does
   * not wait for compute); terraform runs take one of the reconciler's terraform slots. Only this pass writes the
   * status: steps running at once change their own tier in it, and saves go one after another.
   */
  private async applyTiers(declared: Tier[], target: StoredTarget) {
    const failures = new Map<Tier, TierError>();
    let awaiting = false;
    let applied = false;
    let nextCheck = Infinity;
    const steps = new Map<Tier, Promise<void>>();
    const one = async (tier: Tier) => {
      const needs = TIER_DEPENDENCIES[tier].filter((d) => declared.includes(d));
      // TIERS order is a valid apply order, so every dependency's step is already in `steps`.
      await Promise.all(needs.map((d) => steps.get(d)));
      this.throwIfCancelled();
      const waitingFor = needs.filter((d) => !tierReady(this.status, d));
      if (waitingFor.length > 0) {
        this.status.tiers[tier] = this.tierConditions(this.status.tiers[tier] ?? { conditions: [] }, { Ready: ['False', 'DependencyNotReady', `waiting for ${waitingFor.join(', ')}`] });
        return;
      }
      const planBefore = this.status.tiers[tier]?.lastPlan?.id;
      const result = await this.applyTier(tier, target);
      // The database's own setup (app user, extensions) follows the data tier: controller/db-setup/.
      if (tier === 'data' && !result.failure) result.failure = await setUpDatabase(this.deps, { env: this.env, target, status: this.status, generation: this.generation, signal: this.signal, event: (e) => this.event(e) });
      const plan = this.status.tiers[tier]?.lastPlan?.id;
      if (result.failure) {
        failures.set(tier, result.failure);
        this.deps.log.warn({ environment: this.name, tier, reason: result.failure.reason }, `${this.name}: ${tier} failed (${result.failure.reason}): ${firstLine(result.failure.message)}`);
      } else if (result.outcome === 'applied' || (result.outcome === 'no-changes' && !tierReady(this.env.status, tier))) {
        this.deps.log.info({ environment: this.name, tier, plan }, `${this.name}: ${tier} is Ready`);
      } else if (result.outcome === 'awaiting-approval' && plan !== planBefore) {
        this.deps.log.info({ environment: this.name, tier, plan }, `${this.name}: ${tier} plan ${plan} awaits approval`);
      }
      awaiting ||= result.outcome === 'awaiting-approval';
      applied ||= result.outcome === 'applied' && (tier === 'compute' || tier === 'frontend');
      if (result.nextCheckMs) nextCheck = Math.min(nextCheck, result.nextCheckMs);
    };
    for (const tier of declared) steps.set(tier, one(tier));
    // Wait for every step (none may go on running terraform after the pass), then report the first error.
    const settled = await Promise.allSettled(steps.values());
    // Cancelled first: a step then fails on the abort itself (a setup task's RunTask), which is no bug to report.
    this.throwIfCancelled();
    const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
    // In tier order, whatever order they ended in: the summary reads the same on every pass.
    return { failures: declared.flatMap((t) => failures.get(t) ?? []), awaiting, applied, nextCheck };
  }

  /**
   * spec.verify, once every tier is applied: after compute or frontend applied, on each drift check and on request.
   * Ready requires Verified: a failed run is a retryable failure (backoff, and no terraform on the retry, since the
   * tiers are up to date). Returns when the next periodic run is due (Infinity: none).
   * A run needs one of the reconciler's verification slots; with none free the pass does not wait (checks may hold
   * connections for minutes, on a worker other environments need): Verified stays as it is (Unknown, Queued, if
   * there is none yet), Ready is True only if the last verification still describes what is deployed, and the
   * environment comes back soon (`queued`).
   */
  private async verify(target: StoredTarget, applied: boolean): Promise<{ nextMs: number; queued: boolean }> {
    if (!this.env.spec.verify) return { nextMs: Infinity, queued: false };
    const facts = { env: this.env, applied, now: this.deps.clock.now() };
    const due = verificationDue({ ...facts, status: this.status });
    if (due.due) {
      const release = this.deps.verifySlots.tryAcquire();
      if (!release) return this.queued(due.stale);
      try {
        await this.runVerification(target);
      } finally {
        release();
      }
    }
    if (!isTrue(this.status.conditions, 'Verified')) {
      const verified = findCondition(this.status.conditions, 'Verified')!;
      this.summarize({ kind: 'retrying', reason: 'VerificationFailed', message: `${verified.reason}: ${verified.message}` });
      await this.save(true);
      throw new RetryableError(`${this.name}: verification failed (${verified.reason})`);
    }
    return { nextMs: verificationDue({ ...facts, applied: false, status: this.status }).nextMs ?? Infinity, queued: false };
  }

  private dropVerification(): void {
    this.status.conditions = removeCondition(this.status.conditions, 'Verified');
    delete this.status.verification;
  }

  /** No free verification slot: try again soon; Ready stays True only for a run that merely re-checks (periodic, on request). */
  private queued(stale: boolean): { nextMs: number; queued: boolean } {
    const { running, limit } = this.deps.verifySlots;
    if (!findCondition(this.status.conditions, 'Verified')) {
      this.status.conditions = setCondition(this.status.conditions, {
        type: 'Verified', status: 'Unknown', reason: 'Queued', observedGeneration: this.generation,
        message: `waiting for a free verification slot (${running} of ${limit} running; TERRACE_VERIFY_CONCURRENCY)`,
      }, new Date(this.deps.clock.now()));
    }
    this.deps.log.info({ environment: this.name, running, limit }, `${this.name}: verification queued, ${running} of ${limit} slots busy`);
    return { nextMs: QUEUED_REQUEUE_MS, queued: stale || !isTrue(this.status.conditions, 'Verified') };
  }

  private async runVerification(target: StoredTarget): Promise<void> {
    if (this.dry) throw new WouldAct('a verification is due');
    this.throwIfCancelled();
    const plan = verifyPlan(this.env.spec, target.spec.provider, this.status);
    const ranAt = new Date(this.deps.clock.now());
    // Checks measure the real network, so their duration is real time, not the injected clock's.
    const started = performance.now();
    const outcomes = 'checks' in plan ? await runChecks(plan.checks, this.signal) : [];
    this.throwIfCancelled(); // a cancelled run proves nothing: write nothing
    const durationMs = performance.now() - started;
    const result = verifyRecord({ plan, outcomes, ranAt, durationMs, generation: this.generation });
    this.status.verification = result.verification;
    this.status.conditions = setCondition(this.status.conditions, { ...result.condition, observedGeneration: this.generation }, new Date(this.deps.clock.now()));
    await this.event(result.event);
    this.deps.observer?.verified?.({ environment: this.name, seconds: durationMs / 1000, failures: result.failures });
    const log = result.failures.length > 0 ? this.deps.log.warn.bind(this.deps.log) : this.deps.log.info.bind(this.deps.log);
    log({ environment: this.name, reason: result.condition.reason }, `${this.name}: verification ${result.failures.length > 0 ? 'failed' : 'passed'} (${result.condition.reason}): ${result.condition.message}`);
  }

  /** Deletion (the finalizer): destroys every tier, dependents first, then removes the environment's items. */
  async finalize(): Promise<ReconcileResult> {
    if (this.dry) throw new WouldAct('the environment is being deleted');
    const present = [...TIERS].reverse().filter((t) => this.status.tiers[t] || this.deps.workdirs.lastStack(this.name, t));
    const target = await this.deps.store.get('Target', this.env.spec.target);
    for (const tier of present) await this.destroy(tier, target, 'deleted');
    this.throwIfCancelled();
    this.deps.workdirs.remove(this.name);
    await this.deps.store.remove('Environment', this.name);
    this.deps.log.info({ environment: this.name }, 'environment deleted: every tier destroyed');
    return {};
  }

  private async applyTier(tier: Tier, target: StoredTarget): Promise<Recorded> {
    const inputs = Object.fromEntries(TIER_DEPENDENCIES[tier].filter((d) => this.status.tiers[d]?.outputs).map((d) => [d, this.status.tiers[d].outputs]));
    let stack: TierStack;
    try {
      stack = await this.deps.stacks.get({ environment: this.env, target, tier, inputs: inputs as never });
    } catch (err) {
      return this.failedBefore(tier, await this.synthesisFailure(tier, err, true), 'Synthesized');
    }
    if (stack.violations.length > 0) {
      const message = stack.violations.map((v) => `${v.rule}: ${v.address}: ${v.message}`).join('\n');
      return this.failedBefore(tier, new TierError('GuardrailViolation', errorMessage(message), true), 'Synthesized');
    }
    this.status.tiers[tier] = this.tierConditions(this.status.tiers[tier] ?? { conditions: [] }, { Synthesized: ['True', 'Synthesized', `${stack.resourceCount} resources`] });
    return this.step(tier, 'present', () => stack.json(), stack.hash);
  }

  /** Destroys a tier (or, pruning under manual approval, stops at a destroy plan); a failure ends the pass. */
  private async destroy(tier: Tier, target: StoredTarget | undefined, goal: 'pruned' | 'deleted'): Promise<Recorded> {
    this.throwIfCancelled();
    const stack = await this.destroyStack(tier, target);
    const result = stack instanceof TierError ? this.failedBefore(tier, stack) : await this.step(tier, goal, async () => stack, sha256(`destroy:${stack}`));
    if (result.failure) {
      this.summarize({ kind: 'retrying', reason: 'DestroyFailed', message: `${tier}: ${firstLine(result.failure.message)}` });
      await this.save();
      throw new RetryableError(`${this.name}: destroy of ${tier} failed`);
    }
    return result;
  }

  /** The stack that built the tier or, on a replica without it, a teardown stack: destroy works from state. */
  private async destroyStack(tier: Tier, target: StoredTarget | undefined): Promise<string | TierError> {
    const last = this.deps.workdirs.lastStack(this.name, tier);
    if (last) return last;
    if (!target) return new TierError('TargetNotFound', `cannot destroy ${tier}: Target ${this.env.spec.target} is gone and no stack is left here`);
    try {
      return await this.deps.teardown({ environment: this.env, target, tier });
    } catch (err) {
      return this.synthesisFailure(tier, err, false);
    }
  }

  /** Tiers the spec no longer declares are destroyed, dependents first; manual approval gates it like any plan. */
  private async prune(declared: Tier[], target: StoredTarget): Promise<boolean> {
    let awaiting = false;
    for (const tier of [...TIERS].reverse().filter((t) => !declared.includes(t) && this.status.tiers[t])) {
      awaiting = (await this.destroy(tier, target, 'pruned')).outcome === 'awaiting-approval' || awaiting;
    }
    return awaiting;
  }

  /** The one path of every tier step: decide, show progress, run terraform when needed, record what happened. */
  private async step(tier: Tier, goal: Goal, json: () => Promise<string>, stackHash: string): Promise<Recorded> {
    const decision = decide({
      env: this.env, tier, goal, stackHash, now: this.deps.clock.now(),
      status: this.status.tiers[tier] ?? { conditions: [] },
      pending: readPending(this.deps.workdirs.dir(this.name, tier)),
    });
    let report: Report = {};
    const started = this.deps.clock.now();
    if (this.dry && runsTerraform(decision)) throw new WouldAct(`${tier}: terraform would run`);
    const release = runsTerraform(decision) ? await this.terraformSlot() : undefined;
    try {
      if (runsTerraform(decision)) {
        this.busy = true;
        this.throwIfCancelled();
        await this.showProgress(tier, goal, decision);
        report = await this.execute(tier, decision, await json(), stackHash);
      }
    } finally {
      release?.();
    }
    const recorded = record({
      tier, goal, decision, report, stackHash, generation: this.generation, now: new Date(this.deps.clock.now()),
      status: this.status.tiers[tier] ?? { conditions: [] },
    });
    if (recorded.status) this.status.tiers[tier] = recorded.status;
    else delete this.status.tiers[tier];
    for (const e of recorded.events) await this.event(e);
    const seconds = (this.deps.clock.now() - started) / 1000;
    if (runsTerraform(decision)) {
      this.deps.observer?.tierReconciled({ environment: this.name, tier, outcome: recorded.outcome, seconds });
      // What terraform did is news (a plan to approve, an applied tier); a step without terraform waits for the pass's one write.
      await this.save();
    }
    return recorded;
  }

  private async execute(tier: Tier, work: Work, json: string, hash: string): Promise<Report> {
    const { terraform, workdirs, log, timeoutMs, staleLockMs, clock } = this.deps;
    try {
      return await execute(work, { environment: this.name, tier, json, hash, signal: this.signal }, { terraform, workdirs, log, timeoutMs, staleLockMs, now: () => clock.now() });
    } catch (err) {
      // A bug, not terraform: show it on the tier, then let the controller log it with its stack.
      await this.showUnexpected(tier, err);
      throw err;
    }
  }

  /** One of the reconciler's terraform slots; a pass cancelled while it waits gives up as cancelled. */
  private async terraformSlot(): Promise<() => void> {
    try {
      return await this.deps.terraformSlots.acquire(this.signal);
    } catch (err) {
      this.throwIfCancelled();
      throw err;
    }
  }

  /** While terraform runs, clients see the tier progressing, or being deleted. */
  private async showProgress(tier: Tier, goal: Goal, work: Work): Promise<void> {
    const doing = goal === 'present' ? 'reconciling' : work.action === 'plan-destroy' ? 'planning the destroy of' : 'destroying';
    this.status.tiers[tier] = this.tierConditions(
      this.status.tiers[tier] ?? { conditions: [] },
      goal === 'present' ? { Ready: ['Unknown', 'Progressing', 'terraform is running'] } : { Ready: ['False', 'Deleting', `${doing} the tier`] },
    );
    this.summarize({ kind: 'progressing', message: `${doing} ${tier}` });
    await this.save();
    this.deps.log.info({ environment: this.name, tier }, `${this.name}: ${doing} ${tier}`);
  }

  private async showUnexpected(tier: Tier, err: unknown): Promise<void> {
    const message = errorMessage(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    this.status.tiers[tier] = this.tierConditions(this.status.tiers[tier] ?? { conditions: [] }, { Ready: ['False', 'InternalError', message] });
    this.summarize({ kind: 'retrying', reason: 'InternalError', message: `${tier}: ${firstLine(message)}` });
    try {
      await this.save();
    } catch (saveErr) {
      throw new AggregateError([err, saveErr], `${message}; and the status could not record it`);
    }
  }

  /** Synthesis saying no to its input (a plain Error) is a tier failure; a TypeError and the like is a bug. */
  private async synthesisFailure(tier: Tier, err: unknown, terminal: boolean): Promise<TierError> {
    if (!isBug(err) && err instanceof Error) return new TierError('SynthesisFailed', errorMessage(err.message), terminal);
    await this.showUnexpected(tier, err);
    throw err;
  }

  /** A tier that failed before terraform could run (synthesis, guardrails, no stack to destroy with). */
  private failedBefore(tier: Tier, error: TierError, condition?: 'Synthesized'): Recorded {
    const conds: Parameters<typeof setTierConditions>[3] = { Ready: ['False', error.reason, error.message] };
    if (condition) conds[condition] = ['False', error.reason, error.message];
    this.status.tiers[tier] = this.tierConditions(this.status.tiers[tier] ?? { conditions: [] }, conds);
    return { status: this.status.tiers[tier], events: [], outcome: 'failed', failure: error };
  }

  private async stall(reason: string, message: string): Promise<never> {
    const before = findCondition(this.env.status.conditions, 'Stalled');
    this.summarize({ kind: 'stalled', reason, message });
    await this.save(true);
    // Resyncs find a stalled environment again and again: record it once per reason and generation.
    const known = before?.status === 'True' && before.reason === reason && before.observedGeneration === this.generation;
    if (!known) await this.event({ action: 'reconcile', outcome: 'Failed', message: `${reason}: ${firstLine(message)}` });
    throw new TerminalError(reason, message);
  }

  private tierConditions(tier: TierStatus, conds: Parameters<typeof setTierConditions>[3]): TierStatus {
    return setTierConditions(tier, this.generation, new Date(this.deps.clock.now()), conds);
  }

  private summarize(summary: Parameters<typeof environmentConditions>[1]): void {
    this.status.conditions = environmentConditions(this.status.conditions, summary, this.generation, new Date(this.deps.clock.now()));
  }

  /**
   * Cancelled by shutdown or a lost lease: another replica may own this environment now, so start nothing more.
   * (`save` and `event` also write nothing once cancelled.)
   */
  private throwIfCancelled(): void {
    if (this.signal.aborted) throw new RetryableError(`${this.name}: cancelled (shutdown or lost lease)`);
  }

  /**
   * Writes status when it differs from what was last written; `final` also records the generation it describes.
   * Steps running at once save one after another: each write carries every tier's latest.
   */
  private save(final = false): Promise<void> {
    if (final) this.status.observedGeneration = this.generation;
    if (this.dry) return stableStringify(this.status) === this.written ? Promise.resolve() : Promise.reject(new WouldAct('the status would change'));
    const next = this.saving.then(async () => {
      if (this.signal.aborted) return;
      const text = stableStringify(this.status);
      if (text === this.written) return;
      this.busy = true;
      await this.deps.store.updateStatus(this.name, this.status);
      this.written = text;
    });
    // A failed write fails its caller; the next save tries again.
    this.saving = next.catch(() => undefined);
    return next;
  }

  private async event(e: EventDraft): Promise<void> {
    if (this.dry) throw new WouldAct(`an event would be recorded: ${e.action}`);
    if (this.signal.aborted) return;
    this.busy = true;
    await this.deps.store.appendEvent(this.name, { ...e, time: new Date(this.deps.clock.now()).toISOString() });
  }
}

const firstLine = (text: string) => text.split('\n')[0];

/** What a probe found: the pass would do something (terraform, a write, an event, a verification, a setup task). */
export class WouldAct extends Error {
  constructor(readonly what: string) {
    super(`a pass would act: ${what}`);
    this.name = 'WouldAct';
  }
}
