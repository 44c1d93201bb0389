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

/**
 * The client of an existing table. A store that accepts connections but never answers must fail fast (a 503),
 * not hang every request: the SDK sets no connection timeout, and its request timeout only warns unless told to throw.
 */
export function externalClient(config: Pick<StoreConfig, 'region' | 'endpoint'>): DynamoDBClient {
  return new DynamoDBClient({
    region: config.region,
    endpoint: config.endpoint,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
  });
}

export async function openStore(config: StoreConfig): Promise<OpenedStore> {
  if (config.table) {
    const client = externalClient(config);
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
