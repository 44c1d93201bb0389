import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startEmbeddedDynamo } from './embedded.ts';
import { ensureTable } from './table.ts';

// Stopping the embedded DynamoDB while requests are in flight (a controller still renewing a lease, a watch
// polling) must not let dynalite read its closed LevelDB: that throws where nothing can catch it and takes the
// process down. Vitest fails the run on such an uncaught error; without the drain it came in most rounds.
describe('stopping the embedded DynamoDB', () => {
  it('answers the requests it took before it closes its database', async () => {
    const uncaught: unknown[] = [];
    const collect = (err: unknown) => void uncaught.push(err);
    process.on('uncaughtException', collect);
    try {
      await stopUnderLoad();
    } finally {
      process.off('uncaughtException', collect);
    }
    expect(uncaught.map(String)).toEqual([]);
  });
});

/** Rounds of: start, send 20 reads, stop at a different point of their way through dynalite each round. */
async function stopUnderLoad(): Promise<void> {
  for (let round = 0; round < 16; round++) {
    const dynamo = await startEmbeddedDynamo();
    const client = new DynamoDBClient({ region: 'local', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      await ensureTable(client, 'stop-test');
      const requests = Array.from({ length: 20 }, () =>
        client.send(new GetItemCommand({ TableName: 'stop-test', Key: { pk: { S: 'a' }, sk: { S: 'b' } } })).catch(() => undefined),
      );
      for (let k = 0; k < round % 8; k++) await new Promise((r) => setImmediate(r));
      await dynamo.stop();
      await Promise.all(requests);
    } finally {
      client.destroy();
    }
  }
}
