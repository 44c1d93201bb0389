import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { leaseKey } from './keys.ts';

/** One lease item per environment, claimed by a conditional write: replicas share work without a leader. */
export class Leases {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number,
  ) {}

  /** True when `holder` now holds the lease: it was free, lapsed, or already its own. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    return claimed(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...leaseKey(name), holder, expiresAt: now + ttlMs },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR holder = :me',
          ExpressionAttributeValues: { ':now': now, ':me': holder },
        }),
      ),
    );
  }

  /** False when another holder took it over. */
  renew(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return claimed(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: leaseKey(name),
          UpdateExpression: 'SET expiresAt = :exp',
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':exp': this.now() + ttlMs, ':me': holder },
        }),
      ),
    );
  }

  async release(name: string, holder: string): Promise<void> {
    await claimed(this.db.send(new DeleteCommand({ TableName: this.table, Key: leaseKey(name), ConditionExpression: 'holder = :me', ExpressionAttributeValues: { ':me': holder } })));
  }
}

/** A failed condition means "someone else holds it", not an error. */
async function claimed(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}
