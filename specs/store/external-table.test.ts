import { CreateTableCommand, DynamoDBClient, ListTablesCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environment } from '../../test/support/store.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from './embedded.ts';
import { openStore } from './open.ts';

// TERRACE_TABLE mode against a DynamoDB endpoint that terrace did not start (a dynalite server standing in
// for DynamoDB or DynamoDB Local): terrace uses the table and never creates one.
let dynamo: EmbeddedDynamo;
let admin: DynamoDBClient;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  admin = new DynamoDBClient({ region: 'eu-west-1', endpoint: dynamo.endpoint, credentials });
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
});
afterAll(async () => {
  admin.destroy();
  await dynamo.stop();
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
});

/** Creates a table and returns once it is ACTIVE, as an operator's would be. */
async function create(name: string, keys: [string, string]): Promise<void> {
  await admin.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k, AttributeType: 'S' as const })),
      KeySchema: [{ AttributeName: keys[0], KeyType: 'HASH' }, { AttributeName: keys[1], KeyType: 'RANGE' }],
    }),
  );
  await waitUntilTableExists({ client: admin, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: name });
}

describe('an external table (TERRACE_TABLE)', () => {
  it('refuses to start on a missing table, naming it, and creates nothing', async () => {
    await expect(openStore({ table: 'terrace-missing', endpoint: dynamo.endpoint, region: 'eu-west-1' })).rejects.toThrow(/table terrace-missing does not exist in region eu-west-1; terrace never creates it/);
    expect((await admin.send(new ListTablesCommand({}))).TableNames).not.toContain('terrace-missing');
  });

  it('refuses a table with other keys', async () => {
    await create('terrace-wrong', ['id', 'kind']);
    await expect(openStore({ table: 'terrace-wrong', endpoint: dynamo.endpoint, region: 'eu-west-1' })).rejects.toThrow(/has keys id:HASH,kind:RANGE/);
  });

  it('uses an existing table, registering no local Target there', async () => {
    await create('terrace-prod', ['pk', 'sk']);
    const { store, mode } = await openStore({ table: 'terrace-prod', endpoint: dynamo.endpoint, region: 'eu-west-1' });
    try {
      expect(mode).toBe('external');
      expect(await store.get('Target', 'local')).toBeUndefined();
      await store.create(environment('chat-prod'));
      expect((await store.get('Environment', 'chat-prod'))?.metadata.generation).toBe(1);
    } finally {
      await store.close();
    }
  });
});
