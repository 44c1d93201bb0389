import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../server/main.ts';

/**
 * The real control plane in this process on a loopback port, embedded store in `dataDir`, no example, no periodic
 * resync (changes are reconciled through the change hint), quiet logs; with its admin token's request headers.
 */
export async function startTestControlPlane(dataDir: string): Promise<{ plane: ControlPlane; token: string; headers: Record<string, string> }> {
  const plane = await startControlPlane(
    { PORT: '0', HOST: '127.0.0.1', TERRACE_DATA_DIR: dataDir, TERRACE_SEED_EXAMPLE: 'false', TERRACE_LOG_LEVEL: 'warn', TERRACE_LOG_FORMAT: 'json', TERRACE_RESYNC: '0 0 1 1 *' },
    { handleSignals: false },
  );
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return { plane, token, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
}
