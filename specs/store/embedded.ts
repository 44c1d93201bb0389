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
  const inflight = trackRequests(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      // dynalite closes LevelDB as soon as its server has closed; a request it is still handling would then read a
      // closed database and throw where nothing can catch it. So the requests it took are answered first.
      await inflight.drained(STOP_GRACE_MS);
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

const STOP_GRACE_MS = 5_000;

/**
 * Counts the requests dynalite is handling: from arrival until it ends the response, or until the client goes away
 * before sending the whole body (then dynalite never reaches the database).
 */
function trackRequests(server: import('node:http').Server): { drained(boundMs: number): Promise<void> } {
  let open = 0;
  const waiters: (() => void)[] = [];
  // First listener, so it sees the request before dynalite's handler can answer it.
  server.prependListener('request', (req, res) => {
    open++;
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      if (--open === 0) for (const wake of waiters.splice(0)) wake();
    };
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = ((...args: unknown[]) => {
      done();
      return end(...args);
    }) as typeof res.end;
    req.on('close', () => {
      if (!req.complete) done();
    });
  });
  return {
    drained: (boundMs) =>
      open === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const bound = setTimeout(resolve, boundMs); // a handler that never answers must not hang shutdown
            waiters.push(() => (clearTimeout(bound), resolve()));
          }),
  };
}
