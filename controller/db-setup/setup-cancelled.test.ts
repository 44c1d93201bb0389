import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../specs/store/types.ts';
import { countingTerraform, devEnvironment, testReconciler } from '../../test/support/controller.ts';
import { openTestStore, tempDir } from '../../test/support/store.ts';
import { RetryableError } from '../errors.ts';

// A pass cancelled (shutdown, lost lease) while the database setup task starts: the runner throws the abort (as
// the ECS runner's RunTask does with the pass's signal). The pass reports it as cancelled (RetryableError, retried
// quietly), not the abort as an unexpected failure logged as an error: steps run side by side, and the first
// rejected one must not hide that the pass was cancelled.
let store: Store;
let dir: ReturnType<typeof tempDir>;
beforeAll(async () => {
  store = await openTestStore();
  dir = tempDir();
});
afterAll(async () => {
  await store.close();
  dir.remove();
});

it('a cancel while the setup task starts ends the pass as cancelled, with nothing written after it', async () => {
  const abort = new AbortController();
  let statusAtCancel: unknown;
  const reconciler = testReconciler({
    store, dataDir: dir.path, terraform: countingTerraform(dir.path).terraform,
    taskRunners: () => ({
      async run(_task, signal) {
        statusAtCancel = (await store.get('Environment', 'chat-dev'))!.status;
        abort.abort();
        signal.throwIfAborted();
        throw new Error('unreachable: the signal is the pass\'s');
      },
    }),
  });
  await store.create(devEnvironment('chat-dev', (s) => { delete s.compute; delete s.frontend; delete s.observability; }));
  const error = await reconciler.reconcile('chat-dev', abort.signal).catch((e: unknown) => e);
  expect(statusAtCancel).toBeDefined();
  expect(error).toBeInstanceOf(RetryableError);
  expect((error as Error).message).toMatch(/cancelled/);
  expect((await store.get('Environment', 'chat-dev'))!.status).toEqual(statusAtCancel);
}, 120_000);
