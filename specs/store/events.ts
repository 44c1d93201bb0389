import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CONTINUE_KEYS, decodeContinue, encodeContinue, eventsPk } from './keys.ts';
import type { EnvironmentEvent, Page } from './types.ts';

/** Append-only run history per environment, newest first, expiring through the `expiresAt` TTL attribute. */
export class EventLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number,
    private readonly retentionMs: number,
  ) {}

  async append(name: string, event: EnvironmentEvent): Promise<EnvironmentEvent> {
    const id = `${event.time}#${randomBytes(4).toString('hex')}`;
    const stored = { ...event, id };
    const expiresAt = Math.floor((this.now() + this.retentionMs) / 1000);
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: eventsPk(name), sk: id, event: stored, expiresAt } }));
    return stored;
  }

  async list(name: string, options: { limit?: number; continue?: string } = {}): Promise<Page<EnvironmentEvent>> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const start = decodeContinue(options.continue, CONTINUE_KEYS.event);
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

  async removeAll(name: string): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const res: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> } = await this.db.send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': eventsPk(name) }, ProjectionExpression: 'pk, sk', ExclusiveStartKey: start }),
      );
      const keys = res.Items ?? [];
      for (let i = 0; i < keys.length; i += 25) {
        let requests: unknown[] | undefined = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
        while (requests && requests.length > 0) {
          const out: { UnprocessedItems?: Record<string, unknown[]> } = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.table]: requests as never } }));
          requests = out.UnprocessedItems?.[this.table];
        }
      }
      start = res.LastEvaluatedKey;
    } while (start);
  }
}
