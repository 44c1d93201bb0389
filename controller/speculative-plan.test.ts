import { existsSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devEnvironment, LOCAL_TARGET } from '../constructs/testing/fixtures.ts';
import { TerraformCli, type RunOptions } from './runner.ts';
import { SpeculativePlanner } from './speculative-plan.ts';
import { STACK_FILE } from './workdirs.ts';
import { tempDir } from '../test/support/store.ts';

// A diff runs terraform init in a scratch dir with the controller's own TerraformCli: the same plugin cache, which
// the controller's working dirs link their providers to. The scratch init must take the providers from that cache
// as the controller locked them, not install them into it again. Real terraform, the AWS provider from the mirror.

const MIRROR = process.env.TERRACE_TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';
const AWS_IN_CACHE = 'plugin-cache/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64';

/** A stack that needs the AWS provider (installed by init) and plans one terraform_data (no AWS call). */
const stack = JSON.stringify({
  terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } }, backend: { local: { path: 'terraform.tfstate' } } },
  resource: { terraform_data: { marker: { input: 'a' } } },
});

let dir: ReturnType<typeof tempDir>;
let cli: TerraformCli;
const stateDir = () => join(dir.path, 'work', 'lock-dev', 'network');

beforeAll(async () => {
  dir = tempDir('terrace-speculative-');
  cli = new TerraformCli({ homeDir: join(dir.path, 'terraform'), providerMirror: MIRROR });
  // The controller's working dir of the tier: initialized once, so it has its lock file and the cache its entry.
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(join(stateDir(), STACK_FILE), stack);
  const init = await cli.init(stateDir(), { timeoutMs: 120_000 });
  expect(init.code, init.stderr).toBe(0);
  expect(existsSync(join(stateDir(), '.terraform.lock.hcl'))).toBe(true);
}, 180_000);
afterAll(() => dir?.remove());

describe('SpeculativePlanner', () => {
  it('inits the scratch dir from the controller\'s dependency lock: the shared plugin cache is used, not rewritten', async () => {
    const cached = join(dir.path, 'terraform', AWS_IN_CACHE);
    const before = lstatSync(cached);
    const inits: string[] = [];
    const planner = new SpeculativePlanner({
      terraform: {
        init: async (d: string, options: RunOptions) => {
          const r = await cli.init(d, options);
          inits.push(r.stdout);
          return r;
        },
        speculativePlan: (d, options) => cli.speculativePlan(d, options),
      },
      synthesize: ({ tier }) => ({ tier, json: stack, resourceCount: 1, outputs: [], violations: [] }),
      teardown: () => stack,
      stateDir: (env, tier) => join(dir.path, 'work', env, tier),
      scratchRoot: join(dir.path, 'plans'),
      timeoutMs: 120_000,
      concurrency: 1,
    });
    const env = devEnvironment('lock-dev', (s) => {
      delete s.data;
      delete s.compute;
      delete s.observability;
      delete s.frontend;
    });
    const report = await planner.tryPlan({ environment: env, target: LOCAL_TARGET }, () => {});
    expect(report?.tiers).toMatchObject([{ tier: 'network', planned: true, add: ['terraform_data.marker'] }]);
    expect(inits.join('\n')).toContain('from the shared cache directory');
    const after = lstatSync(cached);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  }, 180_000);
});
