import type { Logger } from 'pino';
import type { Tier } from '../specs/environment.ts';
import type { Store, StoredEnvironment, StoredTarget } from '../specs/store/types.ts';
import type { Clock } from './clock.ts';
import type { ControllerObserver } from './observer.ts';
import { Pass, WouldAct } from './pass.ts';
import type { TerraformRunner } from './runner.ts';
import { StackCache, type Synthesize } from './synth-cache.ts';
import { TerraformSlots } from './terraform-slots.ts';
import { VerifySlots } from './verify/slots.ts';
import type { TaskRunners } from './db-setup/step.ts';
import type { WorkDirs } from './workdirs.ts';

/** Builds the provider-and-backend-only stack that can destroy a tier the spec may no longer describe. */
export type Teardown = (input: { environment: StoredEnvironment; target: StoredTarget; tier: Tier }) => string | Promise<string>;

export interface ReconcilerDeps {
  store: Store;
  terraform: TerraformRunner;
  workdirs: WorkDirs;
  /** Synthesis: a shared StackCache (`cachedSynthesize`), or a function the reconciler caches on its own. */
  synthesize: Synthesize | StackCache;
  /** The provider-and-backend stack that destroys a tier from its state alone. */
  teardown: Teardown;
  clock: Clock;
  log: Logger;
  timeoutMs: number;
  /** A state lock older than this cannot belong to a live run (runs time out sooner): it is force-unlocked. */
  staleLockMs: number;
  observer?: ControllerObserver;
  /** Verifications run at once, shared by every pass of this reconciler (default VERIFY_CONCURRENCY). */
  verifySlots?: VerifySlots;
  /** Who runs the database setup task for a Target (default: ECS for aws targets, none for local). */
  taskRunners?: TaskRunners;
  /** Terraform runs at once, shared by every pass (TERRACE_CONCURRENCY; default 4). */
  terraformSlots?: TerraformSlots;
}

/** What a pass works with: the reconciler's deps with its shared slots and stack cache filled in. */
export type PassDeps = ReconcilerDeps & { verifySlots: VerifySlots; terraformSlots: TerraformSlots; stacks: StackCache };

export interface ReconcileResult {
  /** Come back then (the next drift check), even if nothing changes. */
  requeueAfterMs?: number;
  /** The pass found nothing to do (no terraform, no write, no event): the versions it read (`restingVersion`). */
  atRest?: string;
}

/**
 * Level-based: given only a name, read the latest spec and status and move the world one pass closer.
 * Throws RetryableError (back off and retry) or TerminalError (wait for a spec change); anything else is
 * unexpected (a bug, or the store failing) and reaches the controller as it was thrown.
 */
export class Reconciler {
  private readonly deps: PassDeps;

  constructor(deps: ReconcilerDeps) {
    const stacks = deps.synthesize instanceof StackCache ? deps.synthesize : new StackCache(deps.synthesize);
    this.deps = { ...deps, stacks, verifySlots: deps.verifySlots ?? new VerifySlots(), terraformSlots: deps.terraformSlots ?? new TerraformSlots() };
  }

  /** Syntheses run so far (a resync with nothing new runs none). */
  get syntheses(): number {
    return this.deps.stacks.synthesized;
  }

  /**
   * Whether `name` is at rest, decided as a pass would from one (possibly cached) read, without a lease: the pass's
   * result when it would run no terraform, write nothing and record nothing; undefined when it would act (then a
   * real pass, under the lease, reads fresh and acts). A stale read can only delay a pass until the cache catches up.
   */
  async probe(name: string): Promise<ReconcileResult | undefined> {
    const env = await this.deps.store.get('Environment', name);
    if (!env || env.metadata.deletionTimestamp) return undefined;
    const quiet = { ...this.deps, log: this.deps.log.child({}, { level: 'silent' }), taskRunners: noTasks };
    try {
      const result = await new Pass(quiet, env, new AbortController().signal, true).run();
      return result.atRest ? result : undefined;
    } catch {
      return undefined; // it would act (WouldAct), stall or fail: the real pass says which
    }
  }

  async reconcile(name: string, signal: AbortSignal): Promise<ReconcileResult> {
    // What decides the writes is read fresh (a cached store's own poll may lag a write by another replica);
    // resyncs of environments at rest read only the cache (Controller, AtRest).
    const env = await freshStore(this.deps.store).get('Environment', name);
    if (!env) return {};
    const pass = new Pass(this.deps, env, signal);
    if (env.metadata.deletionTimestamp) return pass.finalize();
    return pass.run();
  }
}

const freshStore = (store: Store): Store => (store as Store & { fresh?: Store }).fresh ?? store;

/** A probe runs no setup task: needing one is acting. */
const noTasks = (): never => {
  throw new WouldAct('a database setup task would run');
};
