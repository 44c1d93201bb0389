import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Creates the single table if it is missing (embedded mode only: an external table is never created). */
export async function ensureTable(client: DynamoDBClient, table: string): Promise<void> {
  if ((await tableStatus(client, table)) === undefined) await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  // CreateTable returns while the table is still CREATING; requests before ACTIVE fail as not found.
  for (let i = 0; i < 200 && (await tableStatus(client, table)) !== 'ACTIVE'; i++) await new Promise((r) => setTimeout(r, 25));
}

async function tableStatus(client: DynamoDBClient, table: string): Promise<string | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

/**
 * For an external table: it must exist with terrace's key schema. Checked once at start so that a wrong name or
 * region fails with a clear message instead of on the first request.
 */
export async function checkTable(client: DynamoDBClient, table: string, region: string | undefined): Promise<void> {
  let keys: string | undefined;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    keys = Table?.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  } catch (err) {
    if (err instanceof ResourceNotFoundException) {
      throw new Error(`TERRACE_TABLE: table ${table} does not exist in region ${region ?? '(unset: AWS_REGION)'}; terrace never creates it: create it with partition key pk (S) and sort key sk (S)`);
    }
    throw err;
  }
  if (keys !== 'pk:HASH,sk:RANGE') throw new Error(`TERRACE_TABLE: table ${table} has keys ${keys}; terrace needs partition key pk (S) and sort key sk (S)`);
}
