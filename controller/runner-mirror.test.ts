// terraform installs the AWS provider from a filesystem mirror given to the runner (the image's, through
// TERRACE_PROVIDER_MIRROR), offline. It runs where the mirror exists (TERRACE_TF_PLUGIN_MIRROR, default
// /opt/tf-plugins, as constructs/aws/mock-apply.test.ts), else it is skipped.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/store.ts';
import { mirrorConfig, TerraformCli } from './runner.ts';

const mirror = process.env.TERRACE_TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';
const providerDir = join(mirror, 'registry.terraform.io/hashicorp/aws');
const version = existsSync(providerDir) ? readdirSync(providerDir).sort().at(-1) : undefined;

let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

describe.skipIf(!version)(`the runner with the provider mirror ${mirror}`, () => {
  it('installs the mirrored AWS provider without a registry, and every working directory links the same copy', async () => {
    dir = tempDir();
    const home = join(dir.path, 'home');
    const tf = new TerraformCli({ homeDir: home, providerMirror: mirror });
    const rc = readFileSync(join(home, 'terraform.rc'), 'utf8');
    expect(rc).toContain(`path    = "${mirror}"`);
    expect(rc).toMatch(/direct \{\n    exclude = \[.*"registry\.terraform\.io\/hashicorp\/aws".*\]/);

    const copies: string[] = [];
    for (const name of ['a', 'b']) {
      const work = join(dir.path, name);
      mkdirSync(work);
      writeFileSync(join(work, 'cdk.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version } } }, resource: { terraform_data: { x: { input: name } } } }));
      const init = await tf.init(work, { timeoutMs: 60_000 });
      expect([init.code, init.stderr]).toEqual([0, '']);
      const installed = join(work, '.terraform/providers/registry.terraform.io/hashicorp/aws', version!);
      expect(lstatSync(installed).isSymbolicLink() || lstatSync(join(installed, 'linux_amd64')).isSymbolicLink()).toBe(true);
      copies.push(realpathSync(join(installed, 'linux_amd64')));
    }
    // Linked from the mirror itself: no copy per working directory, nothing written to the plugin cache.
    expect(copies).toEqual([realpathSync(join(providerDir, version!, 'linux_amd64')), realpathSync(join(providerDir, version!, 'linux_amd64'))]);
  }, 60_000);

  it('refuses a mirror without providers, naming the layout it expects', () => {
    dir = tempDir();
    expect(() => mirrorConfig(dir.path)).toThrow(/holds no provider \(expected <host>\/<namespace>\/<type>\/<version>/);
  });
});
