import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnvironmentStatus } from '../status.ts';
import type { Kind } from '../validate.ts';
import { specKey, statusKey, tokenKey } from './keys.ts';
import type { StoredToken } from './types.ts';

/** What one listing of the table says exists: names with their item's `rv`, and every token (they are small). */
export interface Versions {
  specs: Record<Kind, Map<string, number>>;
  statuses: Map<string, number>;
  tokens: StoredToken[];
}

export interface FetchedItems {
  specs: { kind: Kind; name: string; rv: number; doc: Record<string, any> }[];
  statuses: { name: string; rv: number; status: EnvironmentStatus }[];
}

/** A write the store accepted, as the store read it back (a status write carries the whole environment). */
export type StoreWrite =
  | { type: 'document'; doc: Record<string, any>; statusWritten?: boolean }
  | { type: 'removed'; kind: Kind; name: string }
  | { type: 'token'; token: StoredToken }
  | { type: 'tokenRemoved'; hash: string };

/** Where a read cache lists versions and fetches the items that changed. */
export interface CacheSource {
  versions(): Promise<Versions>;
  fetch(specs: { kind: Kind; name: string }[], statuses: string[]): Promise<FetchedItems>;
  /** Every write through the store object this source belongs to, whoever made it (API, controller): write-through. */
  onWrite?(listener: (write: StoreWrite) => void): () => void;
}

const KINDS: Kind[] = ['Environment', 'Target'];

/**
 * The cache's two reads against the table. A listing projects only `sk` and `rv`, so an unchanged table
 * costs a few small queries; only items whose `rv` moved are fetched whole (BatchGet, 100 keys a call).
 */
export class DynamoCacheSource implements CacheSource {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    readonly onWrite?: (listener: (write: StoreWrite) => void) => () => void,
  ) {}

  async versions(): Promise<Versions> {
    const [environments, targets, statuses, tokens] = await Promise.all([
      this.queryVersions(specKey('Environment', '').pk),
      this.queryVersions(specKey('Target', '').pk),
      this.queryVersions(statusKey('').pk),
      this.queryAll(tokenKey('').pk, undefined),
    ]);
    return { specs: { Environment: environments, Target: targets }, statuses, tokens: tokens.map((i) => i.token as StoredToken) };
  }

  async fetch(specs: { kind: Kind; name: string }[], statuses: string[]): Promise<FetchedItems> {
    const keys = [...specs.map((s) => specKey(s.kind, s.name)), ...statuses.map(statusKey)];
    const out: FetchedItems = { specs: [], statuses: [] };
    for (const item of await this.batchGet(keys)) {
      if (item.pk === statusKey('').pk) out.statuses.push({ name: item.sk, rv: item.rv, status: item.status });
      else {
        const kind = KINDS.find((k) => specKey(k, '').pk === item.pk);
        if (kind) out.specs.push({ kind, name: item.sk, rv: item.rv, doc: typeof item.doc === 'string' ? JSON.parse(item.doc) : item.doc });
      }
    }
    return out;
  }

  private async queryVersions(pk: string): Promise<Map<string, number>> {
    const items = await this.queryAll(pk, 'sk, rv');
    return new Map(items.map((i) => [i.sk as string, i.rv as number]));
  }

  private async queryAll(pk: string, projection: string | undefined): Promise<Record<string, any>[]> {
    const items: Record<string, any>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ProjectionExpression: projection,
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async batchGet(keys: Record<string, unknown>[]): Promise<Record<string, any>[]> {
    const items: Record<string, any>[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let batch: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
      while (batch && batch.length > 0) {
        const res: { Responses?: Record<string, Record<string, any>[]>; UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }> } =
          await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: batch, ConsistentRead: true } } }));
        items.push(...(res.Responses?.[this.table] ?? []));
        batch = res.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return items;
  }
}
