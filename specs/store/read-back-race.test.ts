import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environment } from '../../test/support/store.ts';
import { CachedStore } from './cached-store.ts';
import { DynamoStore } from './dynamo-store.ts';
import { startEmbeddedDynamo } from './embedded.ts';
import { ensureTable } from './table.ts';
import { localTarget } from '../target.ts';
import { NotFoundError } from './types.ts';

// A write's read-back may find the document gone: the controller removed it (its finalizer done) between the
// conditional put and the read-back, e.g. while "reconcile now" annotated a deleting environment. The write
// must say 404 (NotFoundError) and leave no document in the read cache, not fail in the cache's write-through
// with a TypeError (a 500) and skip the change hint.
describe('a write whose read-back finds the document removed', () => {
  let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
  let here: DynamoStore;
  let elsewhere: DynamoStore;
  let cached: CachedStore;
  /** Runs once, right after the next spec put of this name succeeds (before the write reads it back). */
  let afterPut: { name: string; run: () => Promise<void> } | undefined;
  const hints: string[] = [];

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    const client = () => new DynamoDBClient({ region: 'local', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const traced = client();
    traced.middlewareStack.add((next, context) => async (args) => {
      const result = await next(args);
      // The document client's PutCommand reaches the client as PutItemCommand with marshalled attributes.
      const item = (args.input as { Item?: Record<string, { S?: string } | string> }).Item;
      const text = (v: { S?: string } | string | undefined) => (typeof v === 'object' ? v?.S : v);
      const trap = afterPut;
      if (/^Put(Item)?Command$/.test(context.commandName ?? '') && trap && text(item?.sk) === trap.name && text(item?.pk) === 'doc#Environment') {
        afterPut = undefined;
        await trap.run();
      }
      return result;
    }, { step: 'initialize', name: 'readBackRace' });
    await ensureTable(traced, 'terrace');
    here = new DynamoStore({ client: traced, table: 'terrace', onSpecWrite: (_kind, name) => hints.push(name) });
    elsewhere = new DynamoStore({ client: client(), table: 'terrace' });
    await elsewhere.create(localTarget());
    cached = CachedStore.over(here, { pollMs: 600_000 });
    await cached.sync();
  });
  afterAll(async () => {
    await cached.close();
    await elsewhere.close();
    await dynamo.stop();
  });

  it('update: NotFoundError, no hint, nothing cached', async () => {
    await cached.create(environment('raced-update'));
    hints.length = 0;
    afterPut = { name: 'raced-update', run: () => elsewhere.remove('Environment', 'raced-update') };
    const doc = (await cached.get('Environment', 'raced-update'))!;
    const edited = { ...doc, metadata: { ...doc.metadata, annotations: { 'terrace.dev/reconcile-requested-at': new Date(0).toISOString() } } };
    await expect(cached.update(edited)).rejects.toBeInstanceOf(NotFoundError);
    expect(afterPut).toBeUndefined(); // the race did happen
    expect(await cached.get('Environment', 'raced-update')).toBeUndefined();
    expect(hints).toEqual([]);
  });

  it('markDeleted: NotFoundError, nothing cached', async () => {
    await cached.create(environment('raced-delete'));
    afterPut = { name: 'raced-delete', run: () => elsewhere.remove('Environment', 'raced-delete') };
    await expect(cached.markDeleted('Environment', 'raced-delete')).rejects.toBeInstanceOf(NotFoundError);
    expect(afterPut).toBeUndefined();
    expect(await cached.get('Environment', 'raced-delete')).toBeUndefined();
  });
});
