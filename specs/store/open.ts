import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localTarget } from '../target.ts';
import { DynamoStore } from './dynamo-store.ts';
import { startEmbeddedDynamo } from './embedded.ts';
import { checkTable, ensureTable } from './table.ts';
import type { Store } from './types.ts';
import type { Kind } from '../validate.ts';

export interface StoreConfig {
  /** TERRACE_TABLE: an existing DynamoDB table, never created or deleted by terrace. Unset: embedded. */
  table?: string;
  /** TERRACE_DYNAMODB_ENDPOINT, with TERRACE_TABLE (e.g. a DynamoDB Local). */
  endpoint?: string;
  region?: string;
  /** TERRACE_DATA_DIR: where the embedded DynamoDB keeps its data. Undefined with no table: in memory. */
  dataDir?: string;
  onSpecWrite?: (kind: Kind, name: string) => void;
  now?: () => number;
}

export interface OpenedStore {
  store: Store;
  mode: 'embedded' | 'external';
  table: string;
}

export const EMBEDDED_TABLE = 'terrace';

export async function openStore(config: StoreConfig): Promise<OpenedStore> {
  if (config.table) {
    const client = new DynamoDBClient({ region: config.region, endpoint: config.endpoint });
    await checkTable(client, config.table, config.region);
    const store = new DynamoStore({ client, table: config.table, onSpecWrite: config.onSpecWrite, now: config.now });
    return { store, mode: 'external', table: config.table };
  }
  const embedded = await startEmbeddedDynamo(config.dataDir);
  const client = new DynamoDBClient({
    region: 'local',
    endpoint: embedded.endpoint,
    credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
  });
  await ensureTable(client, EMBEDDED_TABLE);
  const store = new DynamoStore({ client, table: EMBEDDED_TABLE, onSpecWrite: config.onSpecWrite, now: config.now, onClose: embedded.stop });
  const local = localTarget();
  if (!(await store.get('Target', local.metadata.name))) await store.create(local);
  return { store, mode: 'embedded', table: EMBEDDED_TABLE };
}
