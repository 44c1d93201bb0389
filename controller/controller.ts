import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Store } from '../specs/store/types.ts';
import { realClock, type Clock } from './clock.ts';
import { RetryableError, TerminalError } from './errors.ts';
import type { ControllerObserver } from './observer.ts';
import { WorkQueue } from './queue.ts';
import type { Reconciler } from './reconciler.ts';

export interface ControllerOptions {
  store: Store;
  reconciler: Pick<Reconciler, 'reconcile'>;
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

  constructor(private readonly options: ControllerOptions) {
    this.clock = options.clock ?? realClock;
    this.queue = options.queue ?? new WorkQueue(this.clock);
    this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
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
    this.queue.add(name, { force: true });
    this.options.observer?.queueDepth(this.queue.depth);
  }

  running(): boolean {
    return this.started && !this.stopping;
  }

  async resync(): Promise<void> {
    try {
      let token: string | undefined;
      do {
        const page = await this.options.store.list('Environment', { limit: 200, continue: token });
        // A generation the controller has not seen yet is tried now, even during a backoff.
        for (const env of page.items) this.queue.add(env.metadata.name, { force: env.metadata.generation !== env.status.observedGeneration });
        token = page.continue;
      } while (token);
      this.options.observer?.queueDepth(this.queue.depth);
    } catch (err) {
      this.options.log.error({ err }, 'resync failed: the store did not answer');
    }
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
    const { store, replicaId, log } = this.options;
    let held = false;
    try {
      held = await store.acquireLease(name, replicaId, this.leaseTtlMs);
    } catch (err) {
      log.error({ err, environment: name }, 'could not reach the store for a lease');
    }
    if (held && this.stopping) {
      // Stop arrived while we waited for the store: no new work.
      await store.releaseLease(name, replicaId).catch(() => undefined);
      return;
    }
    if (!held) {
      // Another replica works on it (or the store is down): look again once its lease could have lapsed.
      if (!this.stopping) this.queue.addAfter(name, this.leaseTtlMs / 2 + Math.random() * 5_000);
      return;
    }
    const abort = new AbortController();
    this.inFlight.set(name, abort);
    const renew = setInterval(async () => {
      const ok = await store.renewLease(name, replicaId, this.leaseTtlMs).catch(() => false);
      if (!ok) {
        log.warn({ environment: name }, 'lost the lease: cancelling this reconcile');
        abort.abort();
      }
    }, this.leaseTtlMs / 3);
    try {
      const result = await this.options.reconciler.reconcile(name, abort.signal);
      this.queue.forget(name);
      if (result.requeueAfterMs !== undefined && !this.stopping) this.queue.addAfter(name, result.requeueAfterMs);
    } catch (err) {
      if (err instanceof TerminalError) {
        this.queue.forget(name);
        log.warn({ environment: name, reason: err.reason }, `stalled: ${err.message.split('\n')[0]}`);
      } else if (!this.stopping) {
        const delay = this.queue.addRateLimited(name);
        const level = err instanceof RetryableError ? 'info' : 'error';
        log[level]({ environment: name, retryInMs: delay, ...(level === 'error' ? { err } : {}) }, `reconcile failed, retrying in ${Math.round(delay / 1000)}s`);
      }
    } finally {
      clearInterval(renew);
      this.inFlight.delete(name);
      await store.releaseLease(name, replicaId).catch(() => undefined);
    }
  }
}
