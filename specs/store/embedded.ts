import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: Record<string, unknown>) => import('node:http').Server;

export interface EmbeddedDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts dynalite (DynamoDB's API on LevelDB) in this process, on a loopback port, with its data under
 * `<dataDir>/dynamodb`. Without a dataDir the data lives in memory (tests).
 */
export async function startEmbeddedDynamo(dataDir?: string): Promise<EmbeddedDynamo> {
  const path = dataDir ? join(dataDir, 'dynamodb') : undefined;
  if (path) mkdirSync(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
