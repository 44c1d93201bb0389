import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { synthesizeTier } from '../constructs/index.ts';
import { devEnvironment, LOCAL_TARGET } from '../constructs/testing/fixtures.ts';
import type { StoredEnvironment, StoredTarget } from '../specs/store/types.ts';
import { tempDir } from '../test/support/store.ts';
import { StackCache } from './synth-cache.ts';
import { sha256 } from './workdirs.ts';

let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

const env = (edit?: (s: any) => void) => devEnvironment('cache-env', edit) as StoredEnvironment;
const target = LOCAL_TARGET as StoredTarget;
const input = (e = env()) => ({ environment: e, target, tier: 'network' as const });

function cache(fingerprint: string | undefined, options: { maxStacks?: number } = {}) {
  return new StackCache(synthesizeTier, { ...options, disk: { dir: (e, t) => join(dir.path, e, t), fingerprint } });
}

describe('the stack cache', () => {
  it('keeps a summary on disk: after a restart an unchanged tier needs no synthesis, under the same code only', async () => {
    dir = tempDir();
    const first = cache('code-1');
    const stack = await first.get(input());
    expect(first.synthesized).toBe(1);
    expect(stack.hash).toBe(sha256(await stack.json()));
    await first.get(input());
    expect(first.synthesized).toBe(1); // from memory
    expect(JSON.parse(readFileSync(join(dir.path, 'cache-env', 'network', '.terrace-stack-summary.json'), 'utf8'))).toMatchObject({ hash: stack.hash, fingerprint: 'code-1' });

    const restarted = cache('code-1');
    const again = await restarted.get(input());
    expect(again.hash).toBe(stack.hash);
    expect(restarted.synthesized).toBe(0);
    // The JSON is made when terraform is to run, and is the stack the hash describes.
    expect(sha256(await again.json())).toBe(stack.hash);
    expect(restarted.synthesized).toBe(1);

    const upgraded = cache('code-2');
    expect((await upgraded.get(input())).hash).toBe(stack.hash);
    expect(upgraded.synthesized).toBe(1); // other code: synthesized again

    const changed = cache('code-2');
    const other = await changed.get(input(env((s) => (s.network.cidr = '10.9.0.0/16'))));
    expect(changed.synthesized).toBe(1);
    expect(other.hash).not.toBe(stack.hash);
  });

  it('holds only the last few stacks whole: environments at rest keep a summary', async () => {
    dir = tempDir();
    const c = cache(undefined, { maxStacks: 2 });
    for (const cidr of ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16']) await c.get(input(env((s) => (s.network.cidr = cidr))));
    expect(c.size).toEqual({ summaries: 4, stacks: 2 });
    await c.get(input(env((s) => (s.network.cidr = '10.1.0.0/16'))));
    expect(c.synthesized).toBe(4); // the summary answers; no synthesis until the JSON is asked for
  });
});
