import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Store } from '../specs/store/types.ts';
import { realClock, type Clock } from './clock.ts';
import { RetryableError, TerminalError } from './errors.ts';
import { describeError, FailureLog } from './failure-log.ts';
import type { ControllerObserver } from './observer.ts';
import { AtRest } from './at-rest.ts';
import { expirePreviews } from './preview-expiry.ts';
import { WorkQueue } from './queue.ts';
import type { Reconciler } from './reconciler.ts';

export interface ControllerOptions {
  store: Store;
  reconciler: Pick<Reconciler, 'reconcile'> & Partial<Pick<Reconciler, 'probe'>>;
  log: Logger;
  /** This replica's name in lease items. */
  replicaId: string;
  /** TERRACE_CONCURRENCY: environments reconciled at once. */
  concurrency?: number;
  /** TERRACE_RESYNC: node-cron expression (seconds field allowed) for listing the store. */
  resync?: string;
  leaseTtlMs?: number;
  clock?: Clock;
  observer?: ControllerObserver;
  queue?: WorkQueue;
}

/**
 * Feeds environment names to workers: from a periodic resync of the store and from change hints.
 * A worker reconciles a name only while holding its lease, so replicas on one table share the work.
 */
export class Controller {
  readonly queue: WorkQueue;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly workers: Promise<void>[] = [];
  private cronTask?: ScheduledTask;
  private started = false;
  private stopping = false;
  private readonly leaseTtlMs: number;
  private readonly clock: Clock;
  private readonly failures: FailureLog;
  /** Environments whose last pass found nothing to do: resyncs skip them while nothing they read changed. */
  readonly atRest = new AtRest();

  constructor(private readonly options: ControllerOptions) {
    this.clock = options.clock ?? realClock;
    this.queue = options.queue ?? new WorkQueue(this.clock);
    this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
    this.failures = new FailureLog(options.log);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const expression = this.options.resync ?? '*/30 * * * * *';
    if (!cron.validate(expression)) throw new Error(`TERRACE_RESYNC: ${JSON.stringify(expression)} is not a cron expression`);
    this.cronTask = cron.schedule(expression, () => this.resync(), { noOverlap: true, name: 'terrace-resync' });
    for (let i = 0; i < (this.options.concurrency ?? 4); i++) this.workers.push(this.work());
    void this.resync();
  }

  /** The change hint: reconcile `name` as soon as a worker is free. */
  enqueue(name: string): void {
    this.atRest.forget(name);
    this.queue.add(name, { force: true });
    this.options.observer?.queueDepth(this.queue.depth);
  }

  running(): boolean {
    return this.started && !this.stopping;
  }

  async resync(): Promise<void> {
    try {
      let token: string | undefined;
      const targets = await this.targetVersions();
      const listed = new Set<string>();
      const now = this.clock.now();
      do {
        const page = await this.options.store.list('Environment', { limit: 200, continue: token });
        for (const env of page.items) {
          const name = env.metadata.name;
          listed.add(name);
          // At rest, and nothing it reads changed since: a pass would decide the same (no lease, no read, no work).
          if (this.atRest.holds(env, targets.get(env.spec.target), now)) continue;
          // A generation the controller has not seen yet is tried now, even during a backoff.
          this.queue.add(name, { force: env.metadata.generation !== env.status.observedGeneration });
        }
        // Expired previews are marked deleted (preview-expiry.ts) and torn down now.
        for (const name of await expirePreviews(page.items, { store: this.options.store, clock: this.clock, log: this.options.log })) this.enqueue(name);
        token = page.continue;
      } while (token);
      this.atRest.keepOnly(listed);
      this.options.observer?.queueDepth(this.queue.depth);
      this.options.log.debug({ environments: listed.size, atRest: this.atRest.size, queued: this.queue.depth }, `resync: ${listed.size} environments, ${this.atRest.size} at rest`);
      this.failures.clear('resync');
    } catch (err) {
      this.failures.report('resync', 'error', err, {}, `resync failed: could not list environments: ${describeError(err)}`);
    }
  }

  private async targetVersions(): Promise<Map<string, string | undefined>> {
    const versions = new Map<string, string | undefined>();
    let token: string | undefined;
    do {
      const page = await this.options.store.list('Target', { limit: 200, continue: token });
      for (const t of page.items) versions.set(t.metadata.name, t.metadata.resourceVersion);
      token = page.continue;
    } while (token);
    return versions;
  }

  /** Stops taking work, cancels terraform runs (SIGINT, then SIGKILL), waits for them, releases leases. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.cronTask?.destroy();
    this.queue.shutdown();
    for (const abort of this.inFlight.values()) abort.abort();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    for (;;) {
      const name = await this.queue.get();
      if (name === undefined) return;
      try {
        await this.reconcileWithLease(name);
      } finally {
        this.queue.done(name);
        this.options.observer?.queueDepth(this.queue.depth);
      }
    }
  }

  private async reconcileWithLease(name: string): Promise<void> {
    const { store, replicaId } = this.options;
    // At rest (decided from one cached read, as a pass would): no lease, no write. After a restart too.
    const resting = await this.options.reconciler.probe?.(name).catch(() => undefined);
    if (resting?.atRest && !this.stopping) {
      this.atRest.remember(name, resting.atRest, this.clock.now() + (resting.requeueAfterMs ?? Infinity));
      this.queue.forget(name);
      if (resting.requeueAfterMs !== undefined) this.queue.addAfter(name, resting.requeueAfterMs);
      return;
    }
    let held = false;
    try {
      held = await store.acquireLease(name, replicaId, this.leaseTtlMs);
      this.failures.clear(`lease:${name}`);
    } catch (err) {
      this.failures.report(`lease:${name}`, 'error', err, { environment: name }, `${name}: could not take the lease, the store failed: ${describeError(err)}`);
    }
    if (held && this.stopping) {
      // Stop arrived while we waited for the store: no new work.
      await this.release(name);
      return;
    }
    if (!held) {
      // Another replica works on it (or the store failed): look again once its lease could have lapsed.
      if (!this.stopping) this.queue.addAfter(name, this.leaseTtlMs / 2 + Math.random() * 5_000);
      return;
    }
    const abort = new AbortController();
    this.inFlight.set(name, abort);
    const renewal = new LeaseRenewal(this.clock, this.leaseTtlMs, () => store.renewLease(name, replicaId, this.leaseTtlMs), (why, err) => {
      if (why === 'lost') this.options.log.warn({ environment: name }, `${name}: another replica holds the lease now: cancelling this reconcile`);
      else if (why === 'lapsing') this.options.log.error({ environment: name, err }, `${name}: the lease could not be renewed before it lapses (the store failed: ${describeError(err)}): cancelling this reconcile`);
      else this.options.log.warn({ environment: name, err }, `${name}: renewing the lease failed (the store failed: ${describeError(err)}); trying again before it lapses`);
      if (why !== 'retrying') abort.abort();
    });
    try {
      const result = await this.options.reconciler.reconcile(name, abort.signal);
      if (result.atRest) this.atRest.remember(name, result.atRest, this.clock.now() + (result.requeueAfterMs ?? Infinity));
      else this.atRest.forget(name);
      this.queue.forget(name);
      this.failures.clear(name);
      if (result.requeueAfterMs !== undefined && !this.stopping) this.queue.addAfter(name, result.requeueAfterMs);
    } catch (err) {
      this.atRest.forget(name);
      this.failed(name, err);
    } finally {
      renewal.stop();
      this.inFlight.delete(name);
      await this.release(name);
    }
  }

  private failed(name: string, err: unknown): void {
    const { log } = this.options;
    if (err instanceof TerminalError) {
      this.queue.forget(name);
      // Resyncs find a stalled environment again and again: say it once per reason.
      this.failures.report(name, 'warn', err, { environment: name, reason: err.reason }, `${name} stalled (${err.reason}): ${err.message.split('\n')[0]}`);
      return;
    }
    const delay = this.stopping ? undefined : this.queue.addRateLimited(name);
    const next = delay === undefined ? 'not retried: shutting down' : `retrying in ${Math.round(delay / 1000)}s`;
    // A tier failure is already in status: each retry is news. Anything else is a bug or the store failing.
    if (err instanceof RetryableError) {
      if (delay !== undefined) log.info({ environment: name, retryInMs: delay }, `${err.message}; ${next}`);
      return;
    }
    this.failures.report(name, 'error', err, { environment: name, retryInMs: delay }, `${name}: reconcile failed unexpectedly (${describeError(err)}); ${next}`);
  }

  private async release(name: string): Promise<void> {
    try {
      await this.options.store.releaseLease(name, this.options.replicaId);
    } catch (err) {
      this.options.log.warn({ environment: name, err }, `${name}: could not release the lease (the store failed: ${describeError(err)}); it lapses in ${Math.round(this.leaseTtlMs / 1000)}s`);
    }
  }
}

/**
 * Renews a held lease every third of its life. A renewal the store refuses means another replica holds it;
 * one the store fails is tried again while the lease still outlives the next try, and given up before it lapses.
 */
class LeaseRenewal {
  private handle: unknown;
  private validUntil: number;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly renew: () => Promise<boolean>,
    private readonly onTrouble: (why: 'lost' | 'lapsing' | 'retrying', err?: unknown) => void,
  ) {
    this.validUntil = clock.now() + ttlMs;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.handle);
  }

  private schedule(): void {
    if (!this.stopped) this.handle = this.clock.setTimeout(() => void this.tick(), this.ttlMs / 3);
  }

  private async tick(): Promise<void> {
    const asked = this.clock.now();
    let renewed: boolean;
    try {
      renewed = await this.renew();
    } catch (err) {
      if (this.stopped) return;
      const outlivesNextTry = this.validUntil - this.clock.now() > this.ttlMs / 3;
      this.onTrouble(outlivesNextTry ? 'retrying' : 'lapsing', err);
      if (outlivesNextTry) this.schedule();
      return;
    }
    if (this.stopped) return;
    if (!renewed) return this.onTrouble('lost');
    this.validUntil = asked + this.ttlMs;
    this.schedule();
  }
}
