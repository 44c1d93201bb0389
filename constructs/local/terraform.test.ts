// Real terraform (1.11, offline, built-in provider only) applying the dev example's five local tiers.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIERS, type Tier } from '../../specs/environment.ts';
import { synthesizeTeardown, synthesizeTier, type TierOutputs } from '../index.ts';
import { devEnvironment, LOCAL_TARGET, withSpec } from '../testing/fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'terrace-local-'));
const cliConfig = join(root, 'terraformrc');
const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: cliConfig, TF_INPUT: '0' };
writeFileSync(cliConfig, '');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function terraform(dir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('terraform', args, { cwd: dir, env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function ok(dir: string, ...args: string[]): string {
  const r = terraform(dir, ...args);
  if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} in ${dir}: ${r.stderr || r.stdout}`);
  return r.stdout;
}
function outputsOf(dir: string): TierOutputs {
  const raw = JSON.parse(ok(dir, 'output', '-json')) as Record<string, { value: TierOutputs[string] }>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.value]));
}
function stateResource(dir: string, address: string): { input: any } {
  const state = JSON.parse(ok(dir, 'show', '-json')) as { values: { root_module: { resources: { address: string; values: { input: any } }[] } } };
  const r = state.values.root_module.resources.find((x) => x.address === address);
  if (!r) throw new Error(`${address} not in state`);
  return r.values;
}
function write(dir: string, json: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), json);
}

describe('local target applied by real terraform', () => {
  const environment = devEnvironment();
  const outputs: Partial<Record<Tier, TierOutputs>> = {};

  beforeAll(() => {
    for (const tier of TIERS) {
      const dir = join(root, tier);
      const synth = synthesizeTier({ environment, target: LOCAL_TARGET, tier, inputs: outputs });
      expect(synth.violations).toEqual([]);
      write(dir, synth.json);
      ok(dir, 'init', '-input=false', '-no-color');
      ok(dir, 'apply', '-auto-approve', '-input=false', '-no-color');
      outputs[tier] = outputsOf(dir);
    }
  }, 240_000);

  it('gives every tier its declared outputs, with ids from state', () => {
    for (const tier of TIERS) {
      const expected = synthesizeTier({ environment, target: LOCAL_TARGET, tier, inputs: outputs }).outputs;
      expect(Object.keys(outputs[tier]!).sort()).toEqual([...expected].sort());
    }
    expect(outputs.network!.vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(outputs.network!.privateSubnetIds).toHaveLength(2);
    expect(outputs.data!.queueUrls).toEqual([
      'https://sqs.local.amazonaws.com/000000000000/chat-dev-data-default',
      'https://sqs.local.amazonaws.com/000000000000/chat-dev-data-notifications.fifo',
    ]);
    expect(outputs.compute!.albDnsName).toMatch(/^chat-dev-compute-[0-9a-f]{10}\.local\.elb\.amazonaws\.com$/);
    expect(outputs.frontend!.distributionDomainName).toMatch(/^d[0-9a-f]{13}\.cloudfront\.net$/);
    expect(outputs.observability!.trailName).toBe('chat-dev-observability-trail');
  });

  it('carries upstream outputs into dependent resources', () => {
    const cluster = stateResource(join(root, 'data'), 'terraform_data.data_postgres_cluster');
    expect(cluster.input.db_subnet_group.subnet_ids).toEqual(outputs.network!.privateSubnetIds);
    const web = stateResource(join(root, 'compute'), 'terraform_data.compute_service_web_task');
    const envVars = Object.fromEntries(web.input.containers[0].environment.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(envVars.DATABASE_HOST).toBe(outputs.data!.postgresEndpoint);
    expect(envVars.QUEUE_NOTIFICATIONS_URL).toBe((outputs.data!.queueUrls as string[])[1]);
  });

  it('plans no change when the same spec and inputs are synthesized again', () => {
    const dir = join(root, 'compute');
    write(dir, synthesizeTier({ environment, target: LOCAL_TARGET, tier: 'compute', inputs: outputs }).json);
    expect(terraform(dir, 'plan', '-detailed-exitcode', '-input=false', '-no-color').status).toBe(0);
  });

  it('falls back to the sibling tier state when inputs are not passed', () => {
    const dir = join(root, 'data-from-state');
    write(dir, synthesizeTier({ environment, target: LOCAL_TARGET, tier: 'data' }).json);
    ok(dir, 'init', '-input=false', '-no-color');
    ok(dir, 'apply', '-auto-approve', '-input=false', '-no-color');
    const cluster = stateResource(dir, 'terraform_data.data_postgres_cluster');
    expect(cluster.input.vpc_security_group_ids).toEqual([outputs.network!.postgresSecurityGroupId]);
  });

  it('stores template syntax in user strings literally', () => {
    const literal = '${aws_db_instance.x.password} and %{if true}x%{endif}';
    const changed = withSpec(environment, (spec) => {
      spec.compute.services[0].env.TEMPLATE_LOOKING = literal;
      spec.compute.services[0].command = ['echo', '${HOME}'];
    });
    const dir = join(root, 'compute');
    write(dir, synthesizeTier({ environment: changed, target: LOCAL_TARGET, tier: 'compute', inputs: outputs }).json);
    ok(dir, 'apply', '-auto-approve', '-input=false', '-no-color');
    const web = stateResource(dir, 'terraform_data.compute_service_web_task');
    const value = web.input.containers[0].environment.find((e: { name: string }) => e.name === 'TEMPLATE_LOOKING').value;
    expect(value).toBe(literal);
    expect(web.input.containers[0].command).toEqual(['echo', '${HOME}']);
    expect(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')).toContain('$${aws_db_instance.x.password} and %%{if true}x%%{endif}');
  });
});

describe('teardown stack applied by real terraform', () => {
  it('destroys everything in the state of a tier the spec no longer declares', () => {
    const dir = join(root, 'frontend-teardown');
    const full = synthesizeTier({ environment: devEnvironment(), target: LOCAL_TARGET, tier: 'frontend' });
    write(dir, full.json);
    ok(dir, 'init', '-input=false', '-no-color');
    ok(dir, 'apply', '-auto-approve', '-input=false', '-no-color');
    expect(ok(dir, 'state', 'list').trim().split('\n')).toHaveLength(full.resourceCount);

    const gone = withSpec(devEnvironment(), (spec) => delete spec.frontend);
    write(dir, synthesizeTeardown({ environment: gone, target: LOCAL_TARGET, tier: 'frontend' }));
    ok(dir, 'apply', '-destroy', '-auto-approve', '-input=false', '-no-color');
    expect(ok(dir, 'state', 'list')).toBe('');
  }, 60_000);
});
