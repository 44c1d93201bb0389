import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tokenKey } from './keys.ts';
import type { StoredToken } from './types.ts';

/** API tokens by the sha256 of the token: the token itself is never stored. */
export class TokenItems {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(token: StoredToken): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...tokenKey(token.hash), token } }));
  }

  async get(hash: string): Promise<StoredToken | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: tokenKey(hash), ConsistentRead: true }));
    return res.Item?.token as StoredToken | undefined;
  }

  async list(): Promise<StoredToken[]> {
    const tokens: StoredToken[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': tokenKey('').pk }, ExclusiveStartKey: start }),
      );
      tokens.push(...(res.Items ?? []).map((i) => i.token as StoredToken));
      start = res.LastEvaluatedKey;
    } while (start);
    return tokens;
  }

  async remove(hash: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: tokenKey(hash) }));
  }
}
