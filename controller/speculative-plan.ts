import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SynthInput, SynthesizedTier, TierOutputs } from '../constructs/index.ts';
import { TIER_DEPENDENCIES, TIERS, declaredTiers, type Environment, type Tier } from '../specs/environment.ts';
import type { EnvironmentStatus } from '../specs/status.ts';
import type { Target } from '../specs/target.ts';
import { errorMessage } from './redact.ts';
import type { RunOptions, RunResult } from './runner.ts';
import { runFailure } from './tier-failure.ts';
import { STACK_FILE } from './workdirs.ts';

// `terrace diff`: what terraform would do with a proposed spec, without doing it. Each tier is synthesized as the
// controller would, then planned in a scratch directory of its own that reads the controller's state: never the
// controller's working directory, never its lock (`-lock=false`), no plan file kept. State is only read.

export interface SpeculativeTerraform {
  init(dir: string, options: RunOptions): Promise<RunResult>;
  speculativePlan(dir: string, options: RunOptions & { destroy?: boolean }): Promise<RunResult>;
}

export interface TierPlan {
  tier: string;
  /** terraform planned it; false when it could not or need not (see `note`). */
  planned: boolean;
  add: string[];
  change: string[];
  destroy: string[];
  violations: { rule: string; address: string; message: string }[];
  /** Synthesis or terraform failed: the plan of this tier is unknown. */
  error?: string;
  note?: string;
}

export interface PlanReport {
  environment: string;
  /** No environment of that name is stored: everything diffs against nothing. */
  new: boolean;
  /** Something would be added, changed or destroyed. */
  changes: boolean;
  /** No guardrail violation: the controller would apply it. */
  allowed: boolean;
  /** Some tier could not be planned (its `error` says why). */
  failed: boolean;
  tiers: TierPlan[];
}

export interface PlanRequest {
  environment: Environment;
  target: Target;
  /** The stored environment's status, when there is one: the outputs its tiers feed each other, the tiers it has. */
  current?: { status: EnvironmentStatus };
}

export type PlanProgress = { tier: string; phase: 'started' } | { tier: string; phase: 'finished'; plan: TierPlan };

export interface SpeculativePlannerOptions {
  terraform: SpeculativeTerraform;
  synthesize: (input: SynthInput) => SynthesizedTier | Promise<SynthesizedTier>;
  /** The stack that destroys a tier the spec no longer declares. */
  teardown: (input: Omit<SynthInput, 'inputs'>) => string | Promise<string>;
  /** The controller's working directory of a tier: where the local backend keeps the state this plan reads. */
  stateDir: (environment: string, tier: string) => string;
  /** Scratch directories go here, one per plan, removed when it ends. */
  scratchRoot: string;
  /** For one whole plan, every tier included. */
  timeoutMs: number;
  /** Plans at once; one more is refused (the API answers 503 with Retry-After). */
  concurrency: number;
}

export class SpeculativePlanner {
  private running = 0;

  constructor(private readonly options: SpeculativePlannerOptions) {
    mkdirSync(options.scratchRoot, { recursive: true });
  }

  /** Starts a plan, or answers undefined when `concurrency` plans are already running. */
  tryPlan(request: PlanRequest, onProgress: (p: PlanProgress) => void, signal?: AbortSignal): Promise<PlanReport> | undefined {
    if (this.running >= this.options.concurrency) return undefined;
    this.running++;
    return this.plan(request, onProgress, signal).finally(() => this.running--);
  }

  private async plan({ environment, target, current }: PlanRequest, onProgress: (p: PlanProgress) => void, signal?: AbortSignal): Promise<PlanReport> {
    const name = environment.metadata.name;
    const deadline = Date.now() + this.options.timeoutMs;
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const stop = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const scratch = mkdtempSync(join(this.options.scratchRoot, `${name}-`));
    const declared = declaredTiers(environment.spec);
    const status = current?.status;
    // Tiers the spec stops declaring are destroyed by the controller, dependents first: so is their plan.
    const dropped = [...TIERS].reverse().filter((t) => !declared.includes(t) && status?.tiers[t]);
    const tiers: TierPlan[] = [];
    try {
      for (const [tier, goal] of [...declared.map((t) => [t, 'present'] as const), ...dropped.map((t) => [t, 'destroy'] as const)]) {
        onProgress({ tier, phase: 'started' });
        const run = { dir: join(scratch, tier), stop, deadline };
        let plan: TierPlan;
        if (stop.aborted) plan = failed(tier, timeout.aborted ? this.timeoutMessage() : 'the plan was cancelled');
        else if (goal === 'destroy') plan = await this.planDestroy(environment, target, tier, run);
        else plan = await this.planTier(environment, target, tier, status, run);
        if (plan.error && timeout.aborted) plan.error = this.timeoutMessage();
        tiers.push(plan);
        onProgress({ tier, phase: 'finished', plan });
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    return {
      environment: name,
      new: !current,
      changes: tiers.some((t) => t.add.length + t.change.length + t.destroy.length > 0),
      allowed: tiers.every((t) => t.violations.length === 0),
      failed: tiers.some((t) => t.error !== undefined),
      tiers,
    };
  }

  private async planTier(environment: Environment, target: Target, tier: Tier, status: EnvironmentStatus | undefined, run: Run): Promise<TierPlan> {
    // The inputs the controller would pass: the outputs its dependencies last reported.
    const inputs = Object.fromEntries(TIER_DEPENDENCIES[tier].filter((d) => status?.tiers[d]?.outputs).map((d) => [d, status!.tiers[d].outputs as TierOutputs]));
    let stack: SynthesizedTier;
    try {
      stack = await this.options.synthesize({ environment, target, tier, inputs });
    } catch (err) {
      return failed(tier, `synthesis failed: ${errorMessage((err as Error).message)}`);
    }
    const base = { tier, add: [], change: [], destroy: [], violations: stack.violations };
    if (stack.violations.length > 0) return { ...base, planned: false, note: 'not planned: the stack breaks guardrails, the controller would not apply it' };
    const unapplied = TIER_DEPENDENCIES[tier].filter((d) => declaredTiers(environment.spec).includes(d) && !status?.tiers[d]?.outputs);
    if (unapplied.length > 0 && !status?.tiers[tier]?.lastAppliedHash) {
      // Its inputs do not exist before those tiers are applied, and it has no state: everything in it is new.
      return { ...base, planned: false, add: resourceAddresses(stack.json), note: `planned by terraform once ${unapplied.join(', ')} ${unapplied.length === 1 ? 'is' : 'are'} applied; every resource of its stack is new` };
    }
    return { ...base, ...(await this.terraformPlan(environment.metadata.name, tier, stack.json, run, false)) };
  }

  private async planDestroy(environment: Environment, target: Target, tier: Tier, run: Run): Promise<TierPlan> {
    let json: string;
    try {
      json = await this.options.teardown({ environment, target, tier });
    } catch (err) {
      return failed(tier, `synthesis failed: ${errorMessage((err as Error).message)}`);
    }
    const plan = await this.terraformPlan(environment.metadata.name, tier, json, run, true);
    return { tier, violations: [], ...plan, note: 'the spec no longer declares this tier: it is destroyed' };
  }

  private async terraformPlan(environment: string, tier: string, json: string, { dir, stop, deadline }: Run, destroy: boolean) {
    mkdirSync(dir, { recursive: true });
    const stateDir = this.options.stateDir(environment, tier);
    writeFileSync(join(dir, STACK_FILE), readingControllerState(json, stateDir));
    // The controller's dependency lock: the providers it applied with, taken from the shared plugin cache as they
    // are. Without one, init installs them again into that cache, replacing the entry the controller's own
    // working directories link to (and downloading the AWS provider anew for every plan).
    if (existsSync(join(stateDir, LOCK_FILE))) copyFileSync(join(stateDir, LOCK_FILE), join(dir, LOCK_FILE));
    const options = () => ({ timeoutMs: Math.max(1, deadline - Date.now()), signal: stop });
    const init = await this.options.terraform.init(dir, options());
    if (init.code !== 0) return { planned: false, add: [], change: [], destroy: [], error: failure('InitFailed', init) };
    const result = await this.options.terraform.speculativePlan(dir, { ...options(), destroy });
    // -detailed-exitcode: 0 no changes, 2 changes, anything else an error.
    if (result.code !== 0 && result.code !== 2) return { planned: false, add: [], change: [], destroy: [], error: failure('PlanFailed', result) };
    return { planned: true, ...plannedChanges(result.stdout) };
  }

  private timeoutMessage(): string {
    return `the plan took longer than ${Math.round(this.options.timeoutMs / 1000)} s (TERRACE_PLAN_TIMEOUT) and was stopped`;
  }
}

const LOCK_FILE = '.terraform.lock.hcl';

interface Run {
  dir: string;
  stop: AbortSignal;
  deadline: number;
}

/** terraform's own words; a stopped run is the caller's doing (or the timeout, which the plan names). */
function failure(reason: string, result: RunResult): string {
  return result.cancelled ? 'the plan was cancelled' : runFailure(reason, result).message;
}

function failed(tier: string, error: string): TierPlan {
  return { tier, planned: false, add: [], change: [], destroy: [], violations: [], error };
}

/**
 * The local backend keeps state in the controller's working directory (`terraform.tfstate`, siblings' at
 * `../<tier>/`): here those paths are made absolute so the scratch copy reads that very state. Remote backends
 * (S3) name the same bucket and key already.
 */
export function readingControllerState(json: string, stateDir: string): string {
  const doc = JSON.parse(json) as {
    terraform?: { backend?: { local?: { path?: string } } };
    data?: { terraform_remote_state?: Record<string, { backend?: string; config?: { path?: string } }> };
  };
  const local = doc.terraform?.backend?.local;
  if (local) local.path = resolve(stateDir, local.path ?? 'terraform.tfstate');
  for (const remote of Object.values(doc.data?.terraform_remote_state ?? {})) {
    if (remote.backend === 'local' && remote.config?.path) remote.config.path = resolve(stateDir, remote.config.path);
  }
  return JSON.stringify(doc);
}

/** Addresses by action from plan's `-json` `planned_change` messages; a replacement both adds and destroys. */
export function plannedChanges(stdout: string): { add: string[]; change: string[]; destroy: string[] } {
  const out = { add: [] as string[], change: [] as string[], destroy: [] as string[] };
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let msg: { type?: string; change?: { resource?: { addr?: string }; action?: string } };
    try {
      msg = JSON.parse(line);
    } catch {
      continue;
    }
    if (msg.type !== 'planned_change' || !msg.change?.resource?.addr) continue;
    const addr = msg.change.resource.addr;
    switch (msg.change.action) {
      case 'create': out.add.push(addr); break;
      case 'delete': out.destroy.push(addr); break;
      case 'replace': out.add.push(addr); out.destroy.push(addr); break;
      case 'noop': case 'read': break;
      default: out.change.push(addr); // update, move, import, forget
    }
  }
  return out;
}

/** `type.name` of every resource in a synthesized stack. */
function resourceAddresses(json: string): string[] {
  const doc = JSON.parse(json) as { resource?: Record<string, Record<string, unknown>> };
  return Object.entries(doc.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`)).sort();
}
