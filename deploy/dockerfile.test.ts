// The image cannot be built here (no Docker engine): what can be checked is that it bakes the provider version
// the stacks pin, and that its terraform CLI config installs from a mirror laid out as the build stage lays it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AWS_PROVIDER_VERSION } from '../constructs/aws/stack.ts';
import { tempDir } from '../test/support/store.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const dockerfile = readFileSync(join(here, 'Dockerfile'), 'utf8');
const rc = readFileSync(join(here, 'terraform.rc'), 'utf8');
const env = (name: string) => new RegExp(`^\\s*${name}=(\\S+)`, 'm').exec(dockerfile)?.[1];

describe('deploy/Dockerfile', () => {
  it('bakes the AWS provider version the stacks pin into the mirror terrace and terraform both use', () => {
    expect(/^ARG AWS_PROVIDER_VERSION=(.+)$/m.exec(dockerfile)?.[1]).toBe(AWS_PROVIDER_VERSION);
    const mirror = env('TERRACE_PROVIDER_MIRROR');
    expect(dockerfile).toContain(`COPY --from=providers /mirror ${mirror}`);
    expect(rc).toContain(`path    = "${mirror}"`);
    expect(dockerfile).toContain(`COPY deploy/terraform.rc ${env('TF_CLI_CONFIG_FILE')}`);
  });

  it('runs as a non-root user with its writes on volumes', () => {
    const stages = dockerfile.split(/^FROM /m);
    expect(/^USER (\S+)$/m.exec(stages.at(-1)!)?.[1]).toBe('node');
    expect(/^VOLUME \["\/var\/lib\/terrace", "\/tmp"\]$/m.test(dockerfile)).toBe(true);
    expect([env('TERRACE_DATA_DIR'), env('HOME')]).toEqual(['/var/lib/terrace', '/tmp']);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(readFileSync(join(here, '../.dockerignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['**/*.test.ts', 'test', 'constructs/testing', 'bench']));
  });

  it('builds the bundle the bin runs, from every source folder it bundles, after installing without scripts', () => {
    const final = dockerfile.split(/^FROM /m).at(-1)!;
    const lines = final.split('\n');
    const install = lines.findIndex((l) => /^RUN npm ci\b/.test(l));
    const build = lines.findIndex((l) => /^RUN node cli\/build\.mjs$/.test(l));
    // npm ci's `prepare` would run the build before the sources are in the image.
    expect(lines[install]).toContain('--ignore-scripts');
    const bin = readFileSync(join(here, '../cli/terrace.mjs'), 'utf8');
    const bundled = JSON.parse(/const SOURCE_DIRS = (\[[^\]]*\])/.exec(bin)![1].replaceAll("'", '"')) as string[];
    for (const folder of bundled) {
      const copy = lines.findIndex((l) => l === `COPY ${folder} ./${folder}`);
      expect([folder, copy > install && copy < build]).toEqual([folder, true]);
    }
  });
});

const localMirror = process.env.TERRACE_TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';
const providerDir = join(localMirror, 'registry.terraform.io/hashicorp/aws');
const version = existsSync(providerDir) ? readdirSync(providerDir).sort().at(-1) : undefined;
let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

describe.skipIf(!version)('deploy/terraform.rc', () => {
  it('makes terraform init install the AWS provider from the mirror, offline', () => {
    dir = tempDir();
    const config = join(dir.path, 'terraform.rc');
    writeFileSync(config, rc.replace(env('TERRACE_PROVIDER_MIRROR')!, localMirror));
    const work = join(dir.path, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version } } } }));
    const init = spawnSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: work, encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' } });
    expect([init.status, init.stderr]).toEqual([0, '']);
    expect(init.stdout).toContain(`Installed hashicorp/aws v${version}`);
  }, 60_000);
});
