import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/store.ts';
import { TerraformCli } from './runner.ts';

let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

describe('TerraformCli init', () => {
  it('accepts a changed backend setting in a working directory initialized before (terrace upgrades change them)', async () => {
    dir = tempDir();
    const work = join(dir.path, 'work');
    mkdirSync(work);
    const stack = (path: string) => JSON.stringify({ terraform: { backend: { local: { path } } }, resource: { terraform_data: { x: { input: 'x' } } } });
    const tf = new TerraformCli({ homeDir: join(dir.path, 'home') });
    writeFileSync(join(work, 'cdk.tf.json'), stack('a.tfstate'));
    expect((await tf.init(work, { timeoutMs: 60_000 })).code).toBe(0);
    writeFileSync(join(work, 'cdk.tf.json'), stack('b.tfstate'));
    const again = await tf.init(work, { timeoutMs: 60_000 });
    expect([again.code, again.stdout]).toEqual([0, expect.not.stringContaining('Backend configuration changed')]);
  });
});
