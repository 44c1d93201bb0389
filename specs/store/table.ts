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
