import { randomBytes, randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TEARDOWN_FINALIZER } from '../meta.ts';
import { emptyStatus, type EnvironmentStatus } from '../status.ts';
import type { Kind } from '../validate.ts';
import { decodeContinue, encodeContinue, eventsPk, leaseKey, specKey, statusKey, tokenKey } from './keys.ts';
import { parseLabelSelector } from './label-selector.ts';
import { stableStringify } from './stable-json.ts';
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

type SpecItem = { pk: string; sk: string; doc: Record<string, any>; rv: number };
type StatusItem = { pk: string; sk: string; status: EnvironmentStatus; rv: number };
type Doc = { kind: Kind; metadata: { name: string; [k: string]: any }; spec: any; [k: string]: any };

const THIRTY_DAYS = 30 * 86_400_000;

export class DynamoStore implements Store {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => number;

  constructor(private readonly options: DynamoStoreOptions) {
    this.db = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = options.table;
    this.now = options.now ?? Date.now;
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
    const item: SpecItem = { ...specKey(doc.kind, doc.metadata.name), doc: stored, rv: 1 };
    await this.conditional(
      () => this.db.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
      () => `${doc.kind} ${doc.metadata.name} already exists`,
      () => this.get(doc.kind, doc.metadata.name),
    );
    this.options.onSpecWrite?.(doc.kind, doc.metadata.name);
    return this.withStatus(stored, undefined) as DocumentOf<K>;
  }

  async get<K extends Kind>(kind: K, name: string): Promise<DocumentOf<K> | undefined> {
    const [spec, status] = await Promise.all([
      this.db.send(new GetCommand({ TableName: this.table, Key: specKey(kind, name), ConsistentRead: true })),
      kind === 'Environment' ? this.db.send(new GetCommand({ TableName: this.table, Key: statusKey(name), ConsistentRead: true })) : undefined,
    ]);
    if (!spec.Item) return undefined;
    return this.withStatus((spec.Item as SpecItem).doc, status?.Item as StatusItem | undefined) as DocumentOf<K>;
  }

  async list<K extends Kind>(kind: K, options: ListOptions = {}): Promise<Page<DocumentOf<K>>> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const matches = parseLabelSelector(options.labelSelector);
    const docs: Doc[] = [];
    let startSk = decodeContinue(options.continue);
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
      for (const item of (res.Items ?? []) as SpecItem[]) if (matches(item.doc.metadata.labels)) docs.push(item.doc as Doc);
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
    const old = current.doc;
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
    this.options.onSpecWrite?.(doc.kind, doc.metadata.name);
    return (await this.get(doc.kind, doc.metadata.name)) as DocumentOf<K>;
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
    return (await this.get('Environment', name))!;
  }

  async markDeleted<K extends Kind>(kind: K, name: string, options: WriteOptions = {}): Promise<DocumentOf<K>> {
    const current = await this.getSpecItem(kind, name);
    if (options.expectedResourceVersion !== undefined && options.expectedResourceVersion !== String(current.rv)) {
      throw new ConflictError(`${kind} ${name} is at resourceVersion ${current.rv}, not ${options.expectedResourceVersion}`, await this.get(kind, name));
    }
    if (current.doc.metadata.deletionTimestamp) return (await this.get(kind, name))!;
    const rv = current.rv + 1;
    const next = { ...current.doc, metadata: { ...current.doc.metadata, deletionTimestamp: new Date(this.now()).toISOString(), resourceVersion: String(rv) } };
    await this.putIfVersion(next, rv, current.rv);
    this.options.onSpecWrite?.(kind, name);
    return (await this.get(kind, name))!;
  }

  async remove(kind: Kind, name: string): Promise<void> {
    // The spec item goes last: a crash half-way leaves a document still marked for deletion, retried later.
    if (kind === 'Environment') {
      await this.deleteEvents(name);
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: statusKey(name) }));
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: leaseKey(name) }));
    }
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: specKey(kind, name) }));
  }

  async appendEvent(name: string, event: EnvironmentEvent): Promise<EnvironmentEvent> {
    const id = `${event.time}#${randomBytes(4).toString('hex')}`;
    const stored = { ...event, id };
    const expiresAt = Math.floor((this.now() + (this.options.eventRetentionMs ?? THIRTY_DAYS)) / 1000);
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: eventsPk(name), sk: id, event: stored, expiresAt } }));
    return stored;
  }

  async listEvents(name: string, options: { limit?: number; continue?: string } = {}): Promise<Page<EnvironmentEvent>> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const start = decodeContinue(options.continue);
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        // The embedded DynamoDB does not expire TTL items: filter them the way DynamoDB's docs advise.
        FilterExpression: 'expiresAt > :now',
        ExpressionAttributeValues: { ':pk': eventsPk(name), ':now': Math.floor(this.now() / 1000) },
        ExclusiveStartKey: start ? { pk: eventsPk(name), sk: start } : undefined,
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const items = (res.Items ?? []).map((i) => i.event as EnvironmentEvent);
    const last = res.LastEvaluatedKey?.sk as string | undefined;
    return { items, ...(last ? { continue: encodeContinue(last) } : {}) };
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...leaseKey(name), holder, expiresAt: now + ttlMs },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR holder = :me',
          ExpressionAttributeValues: { ':now': now, ':me': holder },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async renewLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: leaseKey(name),
          UpdateExpression: 'SET expiresAt = :exp',
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':exp': this.now() + ttlMs, ':me': holder },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    try {
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: leaseKey(name), ConditionExpression: 'holder = :me', ExpressionAttributeValues: { ':me': holder } }));
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async putToken(token: StoredToken): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...tokenKey(token.hash), token } }));
  }

  async getToken(hash: string): Promise<StoredToken | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: tokenKey(hash), ConsistentRead: true }));
    return res.Item?.token as StoredToken | undefined;
  }

  async listTokens(): Promise<StoredToken[]> {
    const tokens: StoredToken[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'token' }, ExclusiveStartKey: start }),
      );
      tokens.push(...(res.Items ?? []).map((i) => i.token as StoredToken));
      start = res.LastEvaluatedKey;
    } while (start);
    return tokens;
  }

  async deleteToken(hash: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: tokenKey(hash) }));
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
            Item: { ...specKey(kind, metadata.name), doc, rv },
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

  private async deleteEvents(name: string): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const res: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> } = await this.db.send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': eventsPk(name) }, ProjectionExpression: 'pk, sk', ExclusiveStartKey: start }),
      );
      const keys = res.Items ?? [];
      for (let i = 0; i < keys.length; i += 25) {
        let requests: any[] | undefined = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
        while (requests && requests.length > 0) {
          const out: { UnprocessedItems?: Record<string, any[]> } = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.table]: requests } }));
          requests = out.UnprocessedItems?.[this.table];
        }
      }
      start = res.LastEvaluatedKey;
    } while (start);
  }
}
