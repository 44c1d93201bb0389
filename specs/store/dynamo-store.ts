import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TEARDOWN_FINALIZER } from '../meta.ts';
import { emptyStatus, type EnvironmentStatus } from '../status.ts';
import type { Kind } from '../validate.ts';
import { DynamoCacheSource, type CacheSource, type StoreWrite } from './cache-source.ts';
import { EventLog } from './events.ts';
import { CONTINUE_KEYS, decodeContinue, encodeContinue, leaseKey, specKey, statusKey } from './keys.ts';
import { Leases } from './leases.ts';
import { TokenItems } from './tokens.ts';
import { parseLabelSelector } from './label-selector.ts';
import { stableStringify } from './stable-json.ts';
import { reportStoreUnavailable } from './unavailable.ts';
import {
  ConflictError, NotFoundError,
  type DocumentOf, type EnvironmentEvent, type ListOptions, type Page, type Store, type StoredEnvironment, type StoredToken, type WriteOptions,
} from './types.ts';

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  table: string;
  now?: () => number;
  /** How long events are kept (DynamoDB TTL attribute `expiresAt`). */
  eventRetentionMs?: number;
  /** Called after this process wrote a spec: the controller's "change hint". */
  onSpecWrite?: (kind: Kind, name: string) => void;
  /** Called when the store closes (e.g. to stop an embedded DynamoDB). */
  onClose?: () => Promise<void>;
}

/**
 * The document is kept as JSON text: DynamoDB's marshaller cannot write a map with a user key such as
 * `constructor`, and text is what the item-size limit counts. Items written as a map are still read.
 */
type SpecItem = { pk: string; sk: string; doc: string | Record<string, any>; rv: number };
const docOf = (item: SpecItem): Doc => (typeof item.doc === 'string' ? JSON.parse(item.doc) : item.doc) as Doc;
type StatusItem = { pk: string; sk: string; status: EnvironmentStatus; rv: number };
type Doc = { kind: Kind; metadata: { name: string; [k: string]: any }; spec: any; [k: string]: any };

const THIRTY_DAYS = 30 * 86_400_000;

export class DynamoStore implements Store {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => number;
  private readonly events: EventLog;
  private readonly leases: Leases;
  private readonly tokens: TokenItems;
  /** Told of every successful write through this instance (the read cache's write-through, whoever wrote). */
  private readonly writeListeners = new Set<(write: StoreWrite) => void>();

  constructor(private readonly options: DynamoStoreOptions) {
    this.db = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    reportStoreUnavailable(this.db); // every command, events, leases and tokens included
    this.table = options.table;
    this.now = options.now ?? Date.now;
    this.events = new EventLog(this.db, this.table, this.now, options.eventRetentionMs ?? THIRTY_DAYS);
    this.leases = new Leases(this.db, this.table, this.now);
    this.tokens = new TokenItems(this.db, this.table);
  }

  async create<K extends Kind>(input: Omit<DocumentOf<K>, 'status'> & { kind: K }): Promise<DocumentOf<K>> {
    const { status: _ignored, ...doc } = input as Doc;
    const stored = {
      ...doc,
      metadata: {
        name: doc.metadata.name,
        ...(doc.metadata.labels ? { labels: doc.metadata.labels } : {}),
        ...(doc.metadata.annotations ? { annotations: doc.metadata.annotations } : {}),
        uid: randomUUID(),
        generation: 1,
        resourceVersion: '1',
        creationTimestamp: new Date(this.now()).toISOString(),
        ...(doc.kind === 'Environment' ? { finalizers: [TEARDOWN_FINALIZER] } : {}),
      },
    };
    const text = JSON.stringify(stored);
    const item: SpecItem = { ...specKey(doc.kind, doc.metadata.name), doc: text, rv: 1 };
    await this.conditional(
      () => this.db.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
      () => `${doc.kind} ${doc.metadata.name} already exists`,
      () => this.get(doc.kind, doc.metadata.name),
    );
    // A copy, not `stored`: that shares the caller's spec, which the read cache would freeze under the caller.
    return this.hinted(this.wrote(this.withStatus(JSON.parse(text), undefined) as DocumentOf<K>));
  }

  async get<K extends Kind>(kind: K, name: string): Promise<DocumentOf<K> | undefined> {
    const [spec, status] = await Promise.all([
      this.db.send(new GetCommand({ TableName: this.table, Key: specKey(kind, name), ConsistentRead: true })),
      kind === 'Environment' ? this.db.send(new GetCommand({ TableName: this.table, Key: statusKey(name), ConsistentRead: true })) : undefined,
    ]);
    if (!spec.Item) return undefined;
    return this.withStatus(docOf(spec.Item as SpecItem), status?.Item as StatusItem | undefined) as DocumentOf<K>;
  }

  async list<K extends Kind>(kind: K, options: ListOptions = {}): Promise<Page<DocumentOf<K>>> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const matches = parseLabelSelector(options.labelSelector);
    const docs: Doc[] = [];
    let startSk = decodeContinue(options.continue, CONTINUE_KEYS.document);
    let more = true;
    while (more && docs.length <= limit) {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': specKey(kind, '').pk },
          ExclusiveStartKey: startSk ? specKey(kind, startSk) : undefined,
          Limit: options.labelSelector ? 200 : limit + 1 - docs.length,
          ConsistentRead: true,
        }),
      );
      for (const doc of ((res.Items ?? []) as SpecItem[]).map(docOf)) if (matches(doc.metadata.labels)) docs.push(doc);
      startSk = res.LastEvaluatedKey?.sk as string | undefined;
      more = startSk !== undefined;
    }
    const page = docs.slice(0, limit);
    const statuses = kind === 'Environment' ? await this.statuses(page.map((d) => d.metadata.name)) : new Map();
    return {
      items: page.map((d) => this.withStatus(d, statuses.get(d.metadata.name)) as DocumentOf<K>),
      ...(docs.length > limit ? { continue: encodeContinue(page.at(-1)!.metadata.name) } : {}),
    };
  }

  async update<K extends Kind>(input: Omit<DocumentOf<K>, 'status'> & { kind: K }, options: WriteOptions = {}): Promise<DocumentOf<K>> {
    const doc = input as Doc;
    const current = await this.getSpecItem(doc.kind, doc.metadata.name);
    if (options.expectedResourceVersion !== undefined && options.expectedResourceVersion !== String(current.rv)) {
      throw new ConflictError(`${doc.kind} ${doc.metadata.name} is at resourceVersion ${current.rv}, not ${options.expectedResourceVersion}`, await this.get(doc.kind, doc.metadata.name));
    }
    const old = docOf(current);
    const specChanged = stableStringify(old.spec) !== stableStringify(doc.spec);
    const metaChanged =
      stableStringify(old.metadata.labels ?? {}) !== stableStringify(doc.metadata.labels ?? {}) ||
      stableStringify(old.metadata.annotations ?? {}) !== stableStringify(doc.metadata.annotations ?? {});
    if (!specChanged && !metaChanged) return (await this.get(doc.kind, doc.metadata.name)) as DocumentOf<K>;

    const rv = current.rv + 1;
    const next = {
      ...old,
      spec: doc.spec,
      metadata: {
        ...old.metadata,
        labels: doc.metadata.labels,
        annotations: doc.metadata.annotations,
        generation: old.metadata.generation + (specChanged ? 1 : 0),
        resourceVersion: String(rv),
      },
    };
    await this.putIfVersion(next, rv, current.rv);
    return this.hinted(this.wrote((await this.readBack(doc.kind, doc.metadata.name)) as DocumentOf<K>));
  }

  async updateStatus(name: string, status: EnvironmentStatus, options: WriteOptions = {}): Promise<StoredEnvironment> {
    // The spec item must exist: a status for a removed environment would be an orphan.
    await this.getSpecItem('Environment', name);
    const existing = (await this.db.send(new GetCommand({ TableName: this.table, Key: statusKey(name), ConsistentRead: true }))).Item as StatusItem | undefined;
    const rv = existing?.rv ?? 0;
    if (options.expectedResourceVersion !== undefined && options.expectedResourceVersion !== String(rv)) {
      throw new ConflictError(`status of ${name} is at resourceVersion ${rv}, not ${options.expectedResourceVersion}`, existing?.status);
    }
    await this.conditional(
      () =>
        this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...statusKey(name), status, rv: rv + 1 },
            ConditionExpression: existing ? '#rv = :rv' : 'attribute_not_exists(pk)',
            ExpressionAttributeNames: existing ? { '#rv': 'rv' } : undefined,
            ExpressionAttributeValues: existing ? { ':rv': rv } : undefined,
          }),
        ),
      () => `status of ${name} changed concurrently`,
      () => this.get('Environment', name),
    );
    const saved = await this.readBack('Environment', name);
    this.emit({ type: 'document', doc: saved, statusWritten: true });
    return saved;
  }

  async markDeleted<K extends Kind>(kind: K, name: string, options: WriteOptions = {}): Promise<DocumentOf<K>> {
    const current = await this.getSpecItem(kind, name);
    if (options.expectedResourceVersion !== undefined && options.expectedResourceVersion !== String(current.rv)) {
      throw new ConflictError(`${kind} ${name} is at resourceVersion ${current.rv}, not ${options.expectedResourceVersion}`, await this.get(kind, name));
    }
    const old = docOf(current);
    if (old.metadata.deletionTimestamp) return (await this.get(kind, name))!;
    const rv = current.rv + 1;
    const next = { ...old, metadata: { ...old.metadata, deletionTimestamp: new Date(this.now()).toISOString(), resourceVersion: String(rv) } };
    await this.putIfVersion(next, rv, current.rv);
    return this.hinted(this.wrote(await this.readBack(kind, name)));
  }

  async remove(kind: Kind, name: string): Promise<void> {
    // The spec item goes last: a crash half-way leaves a document still marked for deletion, retried later.
    if (kind === 'Environment') {
      // The lease stays: its holder (the replica removing this) releases it, so no other replica starts meanwhile.
      await this.events.removeAll(name);
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: statusKey(name) }));
    }
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: specKey(kind, name) }));
    this.emit({ type: 'removed', kind, name });
  }

  appendEvent = (name: string, event: EnvironmentEvent) => this.events.append(name, event);
  listEvents = (name: string, options?: { limit?: number; continue?: string }) => this.events.list(name, options);
  acquireLease = (name: string, holder: string, ttlMs: number) => this.leases.acquire(name, holder, ttlMs);
  renewLease = (name: string, holder: string, ttlMs: number) => this.leases.renew(name, holder, ttlMs);
  releaseLease = (name: string, holder: string) => this.leases.release(name, holder);
  putToken = async (token: StoredToken) => {
    await this.tokens.put(token);
    this.emit({ type: 'token', token });
  };
  getToken = (hash: string) => this.tokens.get(hash);
  listTokens = () => this.tokens.list();
  deleteToken = async (hash: string) => {
    await this.tokens.remove(hash);
    this.emit({ type: 'tokenRemoved', hash });
  };

  /** What a read cache (cached-store.ts) polls: versions of every item, then the changed items whole. */
  cacheSource(): CacheSource {
    return new DynamoCacheSource(this.db, this.table, (listener) => {
      this.writeListeners.add(listener);
      return () => this.writeListeners.delete(listener);
    });
  }

  /**
   * The change hint, given only once the read cache holds the write (wrote): a worker woken by it reads the cache,
   * and a hint ahead of the cache let it find the old generation at rest and forget the change.
   */
  private hinted<T extends { kind: Kind; metadata: { name: string } }>(doc: T): T {
    this.options.onSpecWrite?.(doc.kind, doc.metadata.name);
    return doc;
  }

  /**
   * A write's read-back. Removed in between (the controller's finalizer done while "reconcile now" annotated the
   * deleting environment): 404, and the cache drops it; a missing document would fail the cache's write-through.
   */
  private async readBack<K extends Kind>(kind: K, name: string): Promise<DocumentOf<K>> {
    const doc = await this.get(kind, name);
    if (doc) return doc;
    this.emit({ type: 'removed', kind, name });
    throw new NotFoundError(kind, name);
  }

  private wrote<T>(doc: T): T {
    this.emit({ type: 'document', doc: doc as Record<string, any> });
    return doc;
  }

  private emit(write: StoreWrite): void {
    for (const listener of this.writeListeners) listener(write);
  }

  async ping(): Promise<void> {
    await this.db.send(new GetCommand({ TableName: this.table, Key: leaseKey('~ping') }));
  }

  private closed?: Promise<void>;
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.db.destroy();
      await this.options.onClose?.();
    })();
    return this.closed;
  }

  private withStatus(doc: Record<string, any>, status: StatusItem | undefined) {
    return doc.kind === 'Environment' ? { ...doc, status: status?.status ?? emptyStatus() } : doc;
  }

  private async getSpecItem(kind: Kind, name: string): Promise<SpecItem> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: specKey(kind, name), ConsistentRead: true }));
    if (!res.Item) throw new NotFoundError(kind, name);
    return res.Item as SpecItem;
  }

  private async putIfVersion(doc: Doc | Record<string, any>, rv: number, expected: number): Promise<void> {
    const { kind, metadata } = doc as Doc;
    await this.conditional(
      () =>
        this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...specKey(kind, metadata.name), doc: JSON.stringify(doc), rv },
            ConditionExpression: '#rv = :expected',
            ExpressionAttributeNames: { '#rv': 'rv' },
            ExpressionAttributeValues: { ':expected': expected },
          }),
        ),
      () => `${kind} ${metadata.name} was changed by someone else (resourceVersion ${expected} is stale)`,
      () => this.get(kind, metadata.name),
    );
  }

  /** Runs a conditional write; a failed condition becomes a ConflictError carrying the current document. */
  private async conditional(write: () => Promise<unknown>, message: () => string, current: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new ConflictError(message(), await current());
      throw err;
    }
  }

  private async statuses(names: string[]): Promise<Map<string, StatusItem>> {
    const out = new Map<string, StatusItem>();
    for (let i = 0; i < names.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = names.slice(i, i + 100).map(statusKey);
      while (keys && keys.length > 0) {
        const res: { Responses?: Record<string, unknown[]>; UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }> } = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of (res.Responses?.[this.table] ?? []) as StatusItem[]) out.set(item.sk, item);
        keys = res.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return out;
  }


}
