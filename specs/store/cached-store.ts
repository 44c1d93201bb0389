import type { EnvironmentStatus } from '../status.ts';
import type { Kind } from '../validate.ts';
import { StoreCache, type CacheListener } from './cache.ts';
import type { CacheSource } from './cache-source.ts';
import { CONTINUE_KEYS, decodeContinue, encodeContinue } from './keys.ts';
import { parseLabelSelector } from './label-selector.ts';
import type { DocumentOf, EnvironmentEvent, ListOptions, Page, Store, StoredEnvironment, StoredToken, WriteOptions } from './types.ts';

export const DEFAULT_CACHE_POLL_MS = 1000;
/** Embedded, every write goes through this process's store (which tells the cache): polls are a safety net. */
export const EMBEDDED_CACHE_POLL_MS = 30_000;

export interface CachedStoreOptions {
  /** How often the whole table is listed (ms). A change made elsewhere shows here within one poll (interval + its duration). */
  pollMs?: number;
  /** Past this age (ms) without a successful poll, reads go to the store until one succeeds. Default 3 polls. */
  maxStaleMs?: number;
  now?: () => number;
  /** The poll timer; tests call `sync()` instead of starting it. */
  timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  /** Told once when polls start failing (and when they recover), so an outage is not logged every second. */
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** A store with a source the cache can poll (DynamoStore). */
export interface PollableStore extends Store {
  cacheSource(): CacheSource;
}

const isPollable = (store: Store): store is PollableStore => typeof (store as Partial<PollableStore>).cacheSource === 'function';

/**
 * The informer pattern (as controller-runtime's cache): specs, statuses and token hashes are read from memory,
 * kept fresh by one poller listing the table every `pollMs` and by this process's own writes at once
 * (write-through after the store accepted them). Writes stay conditional writes to the store, so a stale read
 * can at worst make a compare-and-set fail (ConflictError, as ever). `fresh` is the store itself, for reads
 * that must not be stale (If-Match, read-modify-write, `?fresh=true`). Until the first poll, and whenever the
 * data is older than `maxStaleMs`, reads go to the store: staleness is bounded even when polls fail.
 */
export class CachedStore implements Store {
  readonly cache = new StoreCache();
  /** Polls completed, and items fetched whole by them: what the cache costs the store. */
  readonly stats = { polls: 0, fetched: 0 };
  private readonly source: CacheSource;
  private readonly pollMs: number;
  private readonly maxStaleMs: number;
  private readonly now: () => number;
  private syncedAt?: number;
  private running?: Promise<void>;
  private queued?: Promise<void>;
  private timer?: unknown;
  private started = false;
  private failing = false;
  /** With a source that reports every write through its store (DynamoStore), write-through comes from there. */
  private readonly ownWriteThrough: boolean;
  private readonly unsubscribeWrites?: () => void;

  constructor(readonly fresh: Store, source: CacheSource, private readonly options: CachedStoreOptions = {}) {
    this.source = source;
    this.pollMs = options.pollMs ?? DEFAULT_CACHE_POLL_MS;
    this.maxStaleMs = options.maxStaleMs ?? 3 * this.pollMs;
    this.now = options.now ?? Date.now;
    this.ownWriteThrough = !source.onWrite;
    // Writes through the store object itself (the controller's, if it holds the store rather than this cache)
    // enter the cache as this cache's own writes do.
    this.unsubscribeWrites = source.onWrite?.((write) => {
      if (write.type === 'document') this.cache.putDocument(write.doc, { statusWritten: write.statusWritten });
      else if (write.type === 'removed') this.cache.dropDocument(write.kind, write.name);
      else if (write.type === 'token') this.cache.putToken(write.token);
      else this.cache.dropToken(write.hash);
    });
  }

  /** A cache over a store that can be polled; a CachedStore is returned as it is. */
  static over(store: Store, options: CachedStoreOptions = {}): CachedStore {
    if (store instanceof CachedStore) return store;
    if (!isPollable(store)) throw new Error('this store cannot feed a read cache (no cacheSource)');
    return new CachedStore(store, store.cacheSource(), options);
  }

  /** Starts the poll loop (the first poll at once); reads go to the store until it has succeeded. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const timers = this.options.timers ?? { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms).unref(), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
    const loop = async () => {
      await this.sync().catch(() => undefined); // sync logs; the loop goes on
      if (this.started) this.timer = timers.setTimeout(() => void loop(), this.pollMs);
    };
    void loop();
  }

  /** One poll that starts after this call (joined with one already queued): list, fetch what changed, apply. */
  sync(): Promise<void> {
    if (this.queued) return this.queued;
    const before = this.running?.catch(() => undefined) ?? Promise.resolve();
    const next: Promise<void> = before.then(() => {
      this.queued = undefined;
      return this.poll();
    });
    this.queued = next;
    this.running = next;
    void next.catch(() => undefined).then(() => {
      if (this.running === next) this.running = undefined;
    });
    return next;
  }

  /** How old the cached data may be (ms), or undefined when reads go to the store. */
  age(): number | undefined {
    if (this.syncedAt === undefined) return undefined;
    const age = this.now() - this.syncedAt;
    return age <= this.maxStaleMs ? age : undefined;
  }

  subscribe(listener: CacheListener): () => void {
    return this.cache.subscribe(listener);
  }

  get<K extends Kind>(kind: K, name: string): Promise<DocumentOf<K> | undefined> {
    if (this.age() === undefined) return this.fresh.get(kind, name);
    return Promise.resolve(this.cache.get(kind, name));
  }

  async list<K extends Kind>(kind: K, options: ListOptions = {}): Promise<Page<DocumentOf<K>>> {
    if (this.age() === undefined) return this.fresh.list(kind, options);
    // The same limits, selector and continue tokens as the store's list, so a client pages across either.
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const matches = parseLabelSelector(options.labelSelector);
    const after = decodeContinue(options.continue, CONTINUE_KEYS.document);
    const names = this.cache.names(kind);
    const items: DocumentOf<K>[] = [];
    let more = false;
    for (let i = after === undefined ? 0 : firstAfter(names, after); i < names.length; i++) {
      const doc = this.cache.get(kind, names[i]);
      if (!doc || !matches(doc.metadata.labels)) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(doc);
    }
    return { items, ...(more ? { continue: encodeContinue(items.at(-1)!.metadata.name) } : {}) };
  }

  getToken(hash: string): Promise<StoredToken | undefined> {
    if (this.age() === undefined) return this.fresh.getToken(hash);
    return Promise.resolve(this.cache.getToken(hash));
  }

  // Writes: the store decides; the cache holds what it accepted at once.
  async create<K extends Kind>(doc: Omit<DocumentOf<K>, 'status'> & { kind: K }): Promise<DocumentOf<K>> {
    return this.written(await this.fresh.create(doc));
  }
  async update<K extends Kind>(doc: Omit<DocumentOf<K>, 'status'> & { kind: K }, options?: WriteOptions): Promise<DocumentOf<K>> {
    return this.written(await this.fresh.update(doc, options));
  }
  async updateStatus(name: string, status: EnvironmentStatus, options?: WriteOptions): Promise<StoredEnvironment> {
    const saved = await this.fresh.updateStatus(name, status, options);
    if (this.ownWriteThrough) this.cache.putDocument(saved, { statusWritten: true });
    return saved;
  }
  async markDeleted<K extends Kind>(kind: K, name: string, options?: WriteOptions): Promise<DocumentOf<K>> {
    return this.written(await this.fresh.markDeleted(kind, name, options));
  }
  async remove(kind: Kind, name: string): Promise<void> {
    await this.fresh.remove(kind, name);
    if (this.ownWriteThrough) this.cache.dropDocument(kind, name);
  }
  async putToken(token: StoredToken): Promise<void> {
    await this.fresh.putToken(token);
    if (this.ownWriteThrough) this.cache.putToken(token);
  }
  async deleteToken(hash: string): Promise<void> {
    await this.fresh.deleteToken(hash);
    if (this.ownWriteThrough) this.cache.dropToken(hash);
  }

  // Not cached: admin listings, events (history, paged from the store), leases (they must be the store's word).
  listTokens = () => this.fresh.listTokens();
  appendEvent = (name: string, event: EnvironmentEvent) => this.fresh.appendEvent(name, event);
  listEvents = (name: string, options?: { limit?: number; continue?: string }) => this.fresh.listEvents(name, options);
  acquireLease = (name: string, holder: string, ttlMs: number) => this.fresh.acquireLease(name, holder, ttlMs);
  renewLease = (name: string, holder: string, ttlMs: number) => this.fresh.renewLease(name, holder, ttlMs);
  releaseLease = (name: string, holder: string) => this.fresh.releaseLease(name, holder);
  ping = () => this.fresh.ping();

  /** Stops polling only (the store stays open): for a cache that does not own its store. */
  stop(): void {
    this.started = false;
    if (this.timer !== undefined) (this.options.timers?.clearTimeout ?? ((h: unknown) => clearTimeout(h as NodeJS.Timeout)))(this.timer);
  }

  async close(): Promise<void> {
    this.stop();
    this.unsubscribeWrites?.();
    await this.running?.catch(() => undefined);
    await this.fresh.close();
  }

  private written<T>(doc: T): T {
    if (this.ownWriteThrough) this.cache.putDocument(doc as Record<string, any>);
    return doc;
  }

  private async poll(): Promise<void> {
    const since = this.cache.mark();
    const startedAt = this.now();
    try {
      const versions = await this.source.versions();
      const wanted = this.cache.plan(versions, since);
      const fetched = wanted.specs.length + wanted.statuses.length > 0 ? await this.source.fetch(wanted.specs, wanted.statuses) : { specs: [], statuses: [] };
      this.cache.apply(versions, fetched, since);
      this.syncedAt = startedAt;
      this.stats.polls++;
      this.stats.fetched += fetched.specs.length + fetched.statuses.length;
      if (this.failing) this.options.log?.info({}, 'read cache: polling the store again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.options.log?.warn({ err }, `read cache: polling the store failed; reads go to the store once the cache is ${this.maxStaleMs} ms old`);
      this.failing = true;
      throw err;
    }
  }
}

/** Index of the first name after `name` in a sorted array. */
function firstAfter(names: string[], name: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (names[mid] <= name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The store itself behind a cache, for reads that must be fresh (If-Match, read-modify-write); any other store as it is. */
export function freshOf(store: Store): Store {
  return store instanceof CachedStore ? store.fresh : store;
}
