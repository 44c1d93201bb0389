import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkGuardrails, synthesizeEnvironment, synthesizeTier } from './index.ts';
import { awsExample, devEnvironment, FAKE_INPUTS, LOCAL_TARGET, resources, withSpec } from './testing/fixtures.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('synthesizeTier / synthesizeEnvironment', () => {
  it('is deterministic: equal inputs give byte-equal JSON, whatever the key order of the inputs', () => {
    const { environment, target } = awsExample('chat-staging');
    const a = synthesizeEnvironment(environment, target, FAKE_INPUTS).map((t) => sha(t.json));
    const reordered = structuredClone(environment);
    reordered.spec = Object.fromEntries(Object.entries(reordered.spec).reverse()) as typeof reordered.spec;
    const inputs = { data: FAKE_INPUTS.data, network: Object.fromEntries(Object.entries(FAKE_INPUTS.network).reverse()) };
    const b = synthesizeEnvironment(reordered, target, inputs as typeof FAKE_INPUTS).map((t) => sha(t.json));
    expect(b).toEqual(a);
  });

  it('changes the JSON when an upstream output changes', () => {
    const { environment, target } = awsExample('chat-staging');
    const one = synthesizeTier({ environment, target, tier: 'data', inputs: FAKE_INPUTS }).json;
    const other = synthesizeTier({ environment, target, tier: 'data', inputs: { network: { ...FAKE_INPUTS.network, postgresSecurityGroupId: 'sg-new' } } }).json;
    expect(sha(one)).not.toBe(sha(other));
  });

  it('returns the declared tiers in apply order with counts that match the JSON', () => {
    const { environment, target } = awsExample('chat-staging');
    const tiers = synthesizeEnvironment(withSpec(environment, (s) => delete s.frontend), target);
    expect(tiers.map((t) => t.tier)).toEqual(['network', 'data', 'compute', 'observability']);
    for (const t of tiers) {
      const count = Object.values(JSON.parse(t.json).resource as Record<string, object>).reduce((n, r) => n + Object.keys(r).length, 0);
      expect(t.resourceCount).toBe(count);
      expect(t.violations).toEqual(checkGuardrails(JSON.parse(t.json)));
    }
  });

  it('refuses a target the environment does not name, and an undeclared tier', () => {
    const { environment } = awsExample('chat-staging');
    expect(() => synthesizeTier({ environment, target: LOCAL_TARGET, tier: 'network' })).toThrow(/names target aws-staging/);
    const dev = withSpec(devEnvironment(), (s) => delete s.frontend);
    expect(() => synthesizeTier({ environment: dev, target: LOCAL_TARGET, tier: 'frontend' })).toThrow(/declares no frontend tier/);
  });

  it('escapes template syntax in user strings on AWS too', () => {
    const { environment, target } = awsExample('chat-staging');
    const env = withSpec(environment, (s) => {
      s.compute.services[0].env.TRICKY = '${aws_db_instance.x.password} %{if true}x%{endif}';
      s.compute.services[0].command = ['sh', '-c', 'echo ${HOME}'];
    });
    const { json } = synthesizeTier({ environment: env, target, tier: 'compute', inputs: FAKE_INPUTS });
    const defs = resources(json, 'aws_ecs_task_definition').compute_web_task_task_definition.container_definitions as string;
    expect(defs).toContain('"value":"$${aws_db_instance.x.password} %%{if true}x%%{endif}"');
    expect(defs).toContain('"echo $${HOME}"');
    expect(json).not.toMatch(/[^$]\$\{aws_db_instance/);
  });

  it('escapes upstream outputs passed as plain values', () => {
    const { environment, target } = awsExample('chat-staging');
    const { json } = synthesizeTier({ environment, target, tier: 'data', inputs: { network: { ...FAKE_INPUTS.network, postgresSecurityGroupId: 'sg-${oops}' } } });
    expect(json).toContain('"sg-$${oops}"');
  });
});

describe('constructs/ imports', () => {
  const root = fileURLToPath(new URL('.', import.meta.url));
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && f !== 'index.test.ts').map((f) => join(root, f));

  it('never load the @cdktf/provider-aws barrel, and cdktf only through core/cdktf.ts', () => {
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect([file, /from '@cdktf\/provider-aws'/.test(text)]).toEqual([file, false]);
      expect([file, /from '@cdktf\/provider-aws\/lib\/[a-z0-9-]+\/index\.js'|from 'cdktf'/.test(text) && !/\/(aws|core|bootstrap|control-plane)\//.test(file) && !file.endsWith('core/cdktf.ts')]).toEqual([file, false]);
    }
  });

  it('keep cdktf out of the public entry', () => {
    const entry = readFileSync(join(root, 'index.ts'), 'utf8');
    expect(entry).not.toMatch(/from '(cdktf|@cdktf|constructs)/);
  });
});
