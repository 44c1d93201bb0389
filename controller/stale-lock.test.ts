import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../specs/store/types.ts';
import { countingTerraform, devEnvironment, testReconciler } from '../test/support/controller.ts';
import { openTestStore, tempDir } from '../test/support/store.ts';
import { realClock } from './clock.ts';
import type { RunResult, TerraformRunner } from './runner.ts';

// The local backend's lock dies with its process, so a stale lock only exists with S3's lock file, which cannot
// run here. This runner is real terraform, except that its first plans answer "locked" with a given age.
function lockedOnce(inner: TerraformRunner, created: Date, unlocked: string[]): TerraformRunner {
  let locked = true;
  const lockResult = (): RunResult & { changes?: undefined } => ({
    code: 1, stdout: '', stderr: '', durationMs: 1, timedOut: false, cancelled: false,
    parsed: { applied: [], diagnostics: [{ severity: 'error', summary: 'Error acquiring the state lock', detail: `Lock Info:\n  ID:        lock-1\n  Who:       ci@elsewhere\n  Created:   ${goTime(created)}` }] },
  });
  return {
    init: (d, o) => inner.init(d, o),
    apply: (d, p, o) => inner.apply(d, p, o),
    destroy: (d, o) => inner.destroy(d, o),
    outputs: (d, o) => inner.outputs(d, o),
    plan: async (d, p, o) => (locked ? lockResult() : inner.plan(d, p, o)),
    planDestroy: (d, p, o) => inner.planDestroy(d, p, o),
    forceUnlock: async (d, id, o) => {
      unlocked.push(id);
      locked = false;
      return { ...lockResult(), code: 0, parsed: { applied: [], diagnostics: [] } };
    },
  };
}

/** How terraform prints a lock's time (Go's time.String()). */
const goTime = (d: Date) => `${d.toISOString().replace('T', ' ').replace('Z', '')}123 +0000 UTC`;

let store: Store;
let dir: ReturnType<typeof tempDir>;
beforeEach(async () => {
  store = await openTestStore();
  dir = tempDir();
  await store.create(devEnvironment('chat-dev', (s) => { delete s.data; delete s.compute; delete s.observability; delete s.frontend; }));
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

describe('state lock recovery', () => {
  it('force-unlocks a lock older than any live run could be, then applies', async () => {
    const unlocked: string[] = [];
    const runner = lockedOnce(countingTerraform(dir.path).terraform, new Date(Date.now() - 60 * 60_000), unlocked);
    await testReconciler({ store, dataDir: dir.path, terraform: runner, clock: realClock }).reconcile('chat-dev', new AbortController().signal);
    expect(unlocked).toEqual(['lock-1']);
    const env = await store.get('Environment', 'chat-dev');
    expect(env?.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('leaves a young lock alone: StateLocked, retried later', async () => {
    const unlocked: string[] = [];
    const runner = lockedOnce(countingTerraform(dir.path).terraform, new Date(), unlocked);
    await expect(testReconciler({ store, dataDir: dir.path, terraform: runner, clock: realClock }).reconcile('chat-dev', new AbortController().signal)).rejects.toThrow();
    expect(unlocked).toEqual([]);
    const env = await store.get('Environment', 'chat-dev');
    expect(env?.status.tiers.network.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'StateLocked' });
  });
});
