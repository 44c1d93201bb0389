import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStore } from '../../specs/store/dynamo-store.ts';
import { startEmbeddedDynamo } from '../../specs/store/embedded.ts';
import { ensureTable } from '../../specs/store/table.ts';
import { localTarget } from '../../specs/target.ts';

/**
 * Two stores over one dynalite table, as two replicas over one DynamoDB table: a write through one is not seen
 * by the other's read cache until that cache polls. The local Target is registered.
 */
export async function openReplicas(table = 'terrace'): Promise<{ here: DynamoStore; elsewhere: DynamoStore; close(): Promise<void> }> {
  const dynamo = await startEmbeddedDynamo();
  const client = () => new DynamoDBClient({ region: 'local', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const admin = client();
  await ensureTable(admin, table);
  admin.destroy();
  const here = new DynamoStore({ client: client(), table });
  const elsewhere = new DynamoStore({ client: client(), table });
  await elsewhere.create(localTarget());
  return {
    here,
    elsewhere,
    close: async () => {
      await Promise.all([here.close(), elsewhere.close()]);
      await dynamo.stop();
    },
  };
}
