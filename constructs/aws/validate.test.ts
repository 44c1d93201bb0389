// `terraform validate` of the AWS examples. It needs the AWS provider, which cannot be downloaded here;
// it runs when a local filesystem mirror has one (TERRACE_TF_PLUGIN_MIRROR, default /opt/tf-plugins) and
// validates against the mirror's version (the schema of 5.x for what terrace uses), else it is skipped.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizeEnvironment } from '../index.ts';
import { awsExample, withSpec } from '../testing/fixtures.ts';
// The 5.x provider's differences from the pinned 6.x (TLSv1.2_2025, ...) are applied as in the mock applies.
import { forMirroredProvider } from '../testing/mock-apply.ts';

const mirror = process.env.TERRACE_TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';
const providerDir = join(mirror, 'registry.terraform.io/hashicorp/aws');
const version = existsSync(providerDir) ? readdirSync(providerDir).sort().at(-1) : undefined;

describe.skipIf(!version)(`terraform validate with the mirrored AWS provider ${version}`, () => {
  const root = mkdtempSync(join(tmpdir(), 'terrace-validate-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const rc = join(root, 'terraformrc');
  writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`);
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: rc };

  // Installing the provider copies a large binary: do it once, and share that .terraform with every tier dir.
  const base = join(root, 'base');
  mkdirSync(base);
  writeFileSync(join(base, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version } } } }));
  const terraform = (dir: string, ...args: string[]) => spawnSync('terraform', args, { cwd: dir, env, encoding: 'utf8' });

  // chat-staging also with a scheduled run (compute.schedules), which the examples do not have.
  const cases = [['chat-staging', false], ['chat-prod', false], ['chat-staging', true]] as const;
  it.each(cases)('%s (with a schedule: %s): every tier is valid', (name, scheduled) => {
    if (!existsSync(join(base, '.terraform'))) expect(terraform(base, 'init', '-backend=false', '-input=false', '-no-color').status).toBe(0);
    const example = awsExample(name);
    const { target } = example;
    const environment = scheduled
      ? withSpec(example.environment, (s) => (s.compute.schedules = [{ name: 'nightly', schedule: 'cron(0 3 * * ? *)', service: 'worker', command: ['sh', '-c', 'echo ${HOME}'] }]))
      : example.environment;
    // The schedule changes the compute tier only.
    for (const tier of synthesizeEnvironment(environment, target).filter((t) => !scheduled || t.tier === 'compute')) {
      const dir = join(root, `${name}${scheduled ? '-scheduled' : ''}`, tier.tier);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cdk.tf.json'), forMirroredProvider(tier.json, version!));
      symlinkSync(join(base, '.terraform'), join(dir, '.terraform'));
      copyFileSync(join(base, '.terraform.lock.hcl'), join(dir, '.terraform.lock.hcl'));
      const validate = terraform(dir, 'validate', '-no-color');
      expect([tier.tier, validate.status, validate.stderr]).toEqual([tier.tier, 0, '']);
    }
  }, 120_000);
});
