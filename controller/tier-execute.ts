import type { Logger } from 'pino';
import type { Tier } from '../specs/environment.ts';
import type { PlanSummary } from '../specs/status.ts';
import { TierError } from './errors.ts';
import { clearPending, planId, planSummary, PLAN_FILE, writePending } from './pending-plan.ts';
import { errorMessage } from './redact.ts';
import { OutputsError, type RunOptions, type TerraformRunner } from './runner.ts';
import { changeText } from './tier-conditions.ts';
import type { Work } from './tier-decide.ts';
import { appliedOutputs } from './terraform-json.ts';
import { runFailure } from './tier-failure.ts';
import { planWithLockRecovery } from './plan-lock.ts';
import type { WorkDirs } from './workdirs.ts';

export interface ExecuteDeps {
  terraform: TerraformRunner;
  workdirs: WorkDirs;
  log: Logger;
  timeoutMs: number;
  /** A state lock older than this cannot belong to a live run (runs time out sooner): it is force-unlocked. */
  staleLockMs: number;
  now: () => number;
}

/** The tier and the stack terraform runs for it. */
export interface TierJob {
  environment: string;
  tier: Tier;
  /** The synthesized stack or, for a destroy, the stack that built the tier (or a teardown stack). */
  json: string;
  /** What a plan kept for approval is valid for (see `TierFacts.stackHash`). */
  hash: string;
  signal: AbortSignal;
}

/** What terraform did: the executor's whole answer. It writes no status and no event; the pass does. */
export interface Report {
  /** A plan made in this run; `changes` is absent when it found nothing to do. */
  planned?: { changes?: PlanSummary; durationMs: number };
  /** A plan (or destroy) applied in this run; `removed` counts what a destroy removed. */
  applied?: { plan?: PlanSummary; durationMs: number; removed?: number };
  outputs?: Record<string, unknown>;
  /** The step that failed; no later step ran. */
  failure?: { step: 'init' | 'plan' | 'apply' | 'outputs'; error: TierError; durationMs?: number };
}

/**
 * Runs what `decide` chose, in the tier's persistent working directory: init when the providers or backend
 * changed, then plan, apply or destroy. Terraform's failures come back in the report; only bugs throw.
 */
export async function execute(work: Work, job: TierJob, deps: ExecuteDeps): Promise<Report> {
  const run: RunOptions = { timeoutMs: deps.timeoutMs, signal: job.signal };
  const { dir, needsInit, initKey } = deps.workdirs.prepare(job.environment, job.tier, job.json);
  if (needsInit) {
    const init = await deps.terraform.init(dir, run);
    if (init.code !== 0) return { failure: { step: 'init', error: runFailure('InitFailed', init) } };
    deps.workdirs.markInitialized(dir, initKey);
  }
  const steps = new Steps(job, deps, dir, run);
  switch (work.action) {
    case 'plan':
      return steps.plan(work.approval, work.knownOutputs);
    case 'apply':
      return steps.apply(planSummary(work.plan));
    case 'plan-destroy':
      return steps.planDestroy();
    case 'destroy':
      return steps.destroy(work.plan && planSummary(work.plan));
  }
}

class Steps {
  constructor(
    private readonly job: TierJob,
    private readonly deps: ExecuteDeps,
    private readonly dir: string,
    private readonly run: RunOptions,
  ) {}

  async plan(approval: 'auto' | 'manual', knownOutputs?: Record<string, unknown>): Promise<Report> {
    const planned = await planWithLockRecovery(this.deps, this.dir, this.run);
    if ('error' in planned) return { failure: { step: 'plan', error: planned.error } };
    clearPending(this.dir);
    if (!planned.changes) {
      const report: Report = { planned: { durationMs: planned.durationMs } };
      return knownOutputs ? { ...report, outputs: knownOutputs } : this.withOutputs(report);
    }
    const plan = { id: await planId(this.dir, this.job.tier), add: planned.changes.add, change: planned.changes.change, destroy: planned.changes.remove };
    const report: Report = { planned: { changes: plan, durationMs: planned.durationMs } };
    if (approval === 'manual') {
      this.keepForApproval(plan);
      return report;
    }
    return { ...report, ...(await this.apply(plan)) };
  }

  /** Applies exactly the plan in the plan file: the one just made, or the one an operator approved. */
  async apply(plan: PlanSummary): Promise<Report> {
    const { environment, tier } = this.job;
    this.deps.log.info({ environment, tier, plan: plan.id }, `${environment}: applying ${tier}: ${changeText(plan)}`);
    const applied = await this.deps.terraform.apply(this.dir, PLAN_FILE, this.run);
    clearPending(this.dir);
    if (applied.code !== 0) return { failure: { step: 'apply', error: runFailure('ApplyFailed', applied), durationMs: applied.durationMs } };
    const report: Report = { applied: { plan, durationMs: applied.durationMs } };
    // apply -json reports the outputs itself: no fourth process for `terraform output`.
    const outputs = appliedOutputs(applied.parsed);
    return outputs ? { ...report, outputs } : this.withOutputs(report);
  }

  async planDestroy(): Promise<Report> {
    const planned = await this.deps.terraform.planDestroy(this.dir, PLAN_FILE, this.run);
    if (planned.code !== 0) return { failure: { step: 'plan', error: runFailure('PlanFailed', planned) } };
    if (!planned.changes) {
      this.gone(); // nothing left in its state
      return { planned: { durationMs: planned.durationMs } };
    }
    const plan = { id: await planId(this.dir, `${this.job.tier}-destroy`), add: 0, change: 0, destroy: planned.changes.remove };
    this.keepForApproval(plan);
    return { planned: { changes: plan, durationMs: planned.durationMs } };
  }

  /** The approved destroy plan when given, else `apply -destroy` at once. */
  async destroy(plan?: PlanSummary): Promise<Report> {
    const destroyed = plan ? await this.deps.terraform.apply(this.dir, PLAN_FILE, this.run) : await this.deps.terraform.destroy(this.dir, this.run);
    if (destroyed.code !== 0) return { failure: { step: 'apply', error: runFailure('DestroyFailed', destroyed), durationMs: destroyed.durationMs } };
    this.gone();
    return { applied: { ...(plan ? { plan } : {}), durationMs: destroyed.durationMs, removed: destroyed.parsed.changes?.remove } };
  }

  private keepForApproval(plan: PlanSummary): void {
    writePending(this.dir, { ...plan, hash: this.job.hash });
  }

  private gone(): void {
    clearPending(this.dir);
    this.deps.workdirs.removeTier(this.job.environment, this.job.tier);
  }

  private async withOutputs(report: Report): Promise<Report> {
    try {
      return { ...report, outputs: await this.deps.terraform.outputs(this.dir, this.run) };
    } catch (err) {
      if (!(err instanceof OutputsError)) throw err;
      return { ...report, failure: { step: 'outputs', error: new TierError('OutputsFailed', errorMessage(err.message)) } };
    }
  }
}
