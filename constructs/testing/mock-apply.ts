// `terraform test` against `mock_provider "aws"`: the real provider schema and validators, no AWS. Every stack is
// a module under one root, initialised once; each test file plans and applies several of them in its runs.
// The AWS provider comes from a filesystem mirror (TERRACE_TF_PLUGIN_MIRROR, default /opt/tf-plugins).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AWS_PROVIDER_VERSION } from '../aws/stack.ts';

const run = promisify(execFile);
export const TF_PLUGIN_MIRROR = process.env.TERRACE_TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';

/** The newest AWS provider version in the mirror, or undefined when there is none (the tests are skipped). */
export function mirroredAwsVersion(): string | undefined {
  const dir = join(TF_PLUGIN_MIRROR, 'registry.terraform.io/hashicorp/aws');
  return existsSync(dir) ? readdirSync(dir).sort().at(-1) : undefined;
}

/**
 * Where the mirror's 5.x provider and the pinned 6.x disagree, and what the 5.x schema gets instead so the rest of
 * the stack is still checked. Each is listed in docs/architecture.md ("AWS tiers: production review decisions").
 */
export const PROVIDER_5_DIFFERENCES: readonly { readonly why: string; readonly from: string; readonly to: string }[] = [
  {
    why: 'CloudFront TLSv1.2_2025 security policy: 5.100.0 validates against the older enum (up to TLSv1.2_2021)',
    from: '"minimum_protocol_version": "TLSv1.2_2025"',
    to: '"minimum_protocol_version": "TLSv1.2_2021"',
  },
];

/** A synthesized stack for the mirror's provider: the version pinned to it, and the 5.x differences applied. */
export function forMirroredProvider(json: string, version: string): string {
  let out = json.replace(`"version": "${AWS_PROVIDER_VERSION}"`, `"version": "${version}"`);
  if (version.startsWith('5.')) for (const d of PROVIDER_5_DIFFERENCES) out = out.replaceAll(d.from, d.to);
  return out;
}

export interface TestResult {
  readonly file: string;
  readonly code: number;
  readonly output: string;
}

type Attributes = Record<string, { computed?: boolean; optional?: boolean; required?: boolean }>;
interface ProviderSchema {
  resource_schemas: Record<string, { block: { attributes?: Attributes } }>;
  data_source_schemas: Record<string, { block: { attributes?: Attributes } }>;
}

/**
 * One root directory: stacks under `stacks/<name>/cdk.tf.json` (the provider pinned to the mirror's version),
 * test files under `tests/`. `init` runs once for all of them; `test(file)` runs one file, so files can run side by side.
 */
export class MockApplyRoot {
  readonly dir = mkdtempSync(join(tmpdir(), 'terrace-mock-apply-'));
  private readonly env: NodeJS.ProcessEnv;
  private schema?: ProviderSchema;

  constructor(readonly version: string) {
    const rc = join(this.dir, 'terraformrc');
    writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path = "${TF_PLUGIN_MIRROR}"\n  }\n}\n`);
    this.env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: rc };
    writeFileSync(join(this.dir, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version } } } }));
    mkdirSync(join(this.dir, 'tests'));
  }

  /** A stack as module `./stacks/<name>`; returns that source for a run's `module` block. */
  addStack(name: string, json: string): string {
    const dir = join(this.dir, 'stacks', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cdk.tf.json'), forMirroredProvider(json, this.version));
    return `./stacks/${name}`;
  }

  addTest(file: string, hcl: string): void {
    writeFileSync(join(this.dir, 'tests', file), hcl);
  }

  /** After every stack and test file is written: installs the provider and registers the modules. */
  async init(): Promise<TestResult> {
    return this.terraform('init', ['init', '-backend=false', '-input=false', '-no-color']);
  }

  test(file: string): Promise<TestResult> {
    return this.terraform(file, ['test', '-no-color', `-filter=tests/${file}`]);
  }

  /** Computed attributes of a resource (or data source) type that the mock must fill in a given form. */
  async computed(kind: 'resource' | 'data', type: string): Promise<string[]> {
    if (!this.schema) {
      const out = await this.terraform('schema', ['providers', 'schema', '-json']);
      if (out.code !== 0) throw new Error(`terraform providers schema: ${out.output}`);
      this.schema = (JSON.parse(out.output).provider_schemas as Record<string, ProviderSchema>)['registry.terraform.io/hashicorp/aws'];
    }
    const schemas = kind === 'resource' ? this.schema.resource_schemas : this.schema.data_source_schemas;
    const attrs = schemas[type]?.block.attributes ?? {};
    return Object.entries(attrs).filter(([, a]) => a.computed && !a.optional && !a.required).map(([k]) => k);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async terraform(file: string, args: string[]): Promise<TestResult> {
    try {
      const { stdout, stderr } = await run('terraform', args, { cwd: this.dir, env: this.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      return { file, code: 0, output: args[0] === 'providers' ? stdout : `${stdout}${stderr}` };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { file, code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  }
}

/** `mock_resource`/`mock_data` blocks: fixed values for attributes the mock's random strings would not satisfy. */
export function mockDefaults(kind: 'resource' | 'data', type: string, values: Record<string, unknown>): string {
  const body = Object.entries(values).map(([k, v]) => `      ${k} = ${JSON.stringify(v)}`).join('\n');
  return `  mock_${kind} "${type}" {\n    defaults = {\n${body}\n    }\n  }`;
}

/** The types of resources and data sources a synthesized stack declares. */
export function typesIn(json: string): { resources: string[]; data: string[] } {
  const tf = JSON.parse(json) as { resource?: Record<string, unknown>; data?: Record<string, unknown> };
  return { resources: Object.keys(tf.resource ?? {}), data: Object.keys(tf.data ?? {}) };
}
