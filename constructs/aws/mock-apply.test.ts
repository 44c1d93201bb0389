// Every tier of every AWS example environment and of the production fixture, planned and applied by `terraform
// test` against `mock_provider "aws"` (the mirror's provider: its schema and validators, no AWS). Tiers read each
// other's state through terraform_remote_state, overridden with plausible outputs. Skipped without the mirror.
import { afterAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../specs/environment.ts';
import type { Target } from '../../specs/target.ts';
import { synthesizeEnvironment } from '../index.ts';
import { MockApplyRoot, mirroredAwsVersion } from '../testing/mock-apply.ts';
import { hcl, mockOutputs, mockProviders, type MockAccount } from '../testing/mock-aws.ts';
import { awsExample, productionEnvironment } from '../testing/fixtures.ts';

const version = mirroredAwsVersion();
if (!version) console.warn('constructs/aws/mock-apply.test.ts skipped: no AWS provider in the filesystem mirror (TERRACE_TF_PLUGIN_MIRROR, default /opt/tf-plugins)');

/** Assertions on the applied stacks, by tier: the resource they need, a terraform condition, its message. */
const ASSERTS: Partial<Record<string, [string, string, string][]>> = {
  network: [
    ['network_defaults_security_group', 'length(aws_default_security_group.network_defaults_security_group.ingress) + length(aws_default_security_group.network_defaults_security_group.egress) + length(aws_default_network_acl.network_defaults_network_acl.ingress) == 0', 'the default security group has rules'],
    ['network_endpoints_s3', 'aws_vpc_endpoint.network_endpoints_s3.vpc_endpoint_type == "Gateway"', 'no S3 gateway endpoint'],
  ],
  compute: [
    ['compute_alb_lb', 'aws_lb.compute_alb_lb.enable_deletion_protection && aws_lb.compute_alb_lb.access_logs[0].enabled', 'the ALB is not protected or logs nothing'],
    ['compute_alb_waf_association', 'aws_wafv2_web_acl_association.compute_alb_waf_association.web_acl_arn == aws_wafv2_web_acl.compute_alb_waf_acl.arn', 'the ALB has no web ACL'],
  ],
  frontend: [['frontend_cdn_waf_acl', 'aws_cloudfront_distribution.frontend_cdn_distribution.web_acl_id == aws_wafv2_web_acl.frontend_cdn_waf_acl.arn && aws_wafv2_web_acl.frontend_cdn_waf_acl.scope == "CLOUDFRONT"', 'the distribution has no global web ACL']],
};

/** The first liveness alarm of an observability stack, to check it still pages on missing data once applied. */
function livenessAssert(json: string): [string, string, string][] {
  const alarms = (JSON.parse(json) as { resource?: { aws_cloudwatch_metric_alarm?: Record<string, { treat_missing_data: string }> } }).resource?.aws_cloudwatch_metric_alarm ?? {};
  const name = Object.keys(alarms).find((n) => alarms[n].treat_missing_data === 'breaching');
  return name ? [[name, `aws_cloudwatch_metric_alarm.${name}.treat_missing_data == "breaching"`, 'a liveness alarm does not page on missing data']] : [];
}

function testFile(providers: string, stacks: { tier: string; source: string; json: string }[], outputs: Record<string, string[]>, env: string, account: MockAccount): string {
  const runs = stacks.map(({ tier, source, json }) => {
    const remote = Object.keys((JSON.parse(json) as { data?: { terraform_remote_state?: Record<string, unknown> } }).data?.terraform_remote_state ?? {});
    const overrides = remote.map((name) => {
      const dep = name.replace(/^remote_state_/, '');
      return `  override_data {\n    target = data.terraform_remote_state.${name}\n    values = { outputs = ${hcl(mockOutputs(outputs[dep] ?? [], env, account))} }\n  }`;
    });
    const asserts = [...(ASSERTS[tier] ?? []), ...(tier === 'observability' ? livenessAssert(json) : [])].filter(([address]) => json.includes(`"${address}"`))
      .map(([, condition, message]) => `  assert {\n    condition     = ${condition}\n    error_message = ${hcl(message)}\n  }`);
    return `run "${tier}" {\n  command = apply\n  module {\n    source = "${source}"\n  }\n${[...overrides, ...asserts].join('\n')}\n}\n`;
  });
  return `${providers}\n${runs.join('\n')}`;
}

describe.skipIf(!version)(`every AWS tier applies under mock_provider "aws" ${version}`, () => {
  const root = new MockApplyRoot(version!);
  // TERRACE_KEEP_MOCK_APPLY=1 keeps the directory (printed) to rerun `terraform test` by hand.
  afterAll(() => (process.env.TERRACE_KEEP_MOCK_APPLY ? console.log(root.dir) : root.dispose()));

  const cases: [string, { environment: Environment; target: Target }][] = [
    ['chat-staging', awsExample('chat-staging')],
    ['chat-prod', awsExample('chat-prod')],
    ['shop-prod (production fixture)', productionEnvironment()],
  ];

  it('plans and applies every tier of chat-staging, chat-prod and the production fixture', async () => {
    const suites = cases.map(([, { environment, target }]) => {
      const env = environment.metadata.name;
      const account = { accountId: target.spec.accountId!, region: target.spec.region! };
      const tiers = synthesizeEnvironment(environment, target);
      for (const t of tiers) expect([env, t.tier, t.violations]).toEqual([env, t.tier, []]);
      const stacks = tiers.map((t) => ({ tier: t.tier, json: t.json, source: root.addStack(`${env}-${t.tier}`, t.json) }));
      const outputs = Object.fromEntries(tiers.map((t) => [t.tier, t.outputs]));
      const file = `${env}.tftest.hcl`;
      // init registers the runs' modules; the mock's defaults need the provider schema, so after it.
      root.addTest(file, testFile('', stacks, outputs, env, account));
      return { file, env, account, stacks, outputs };
    });
    const init = await root.init();
    expect([init.code, init.output]).toEqual([0, expect.stringContaining('Terraform has been successfully initialized')]);
    for (const { file, env, account, stacks, outputs } of suites) {
      const providers = await mockProviders(root, stacks.map((s) => s.json), account);
      root.addTest(file, testFile(providers, stacks, outputs, env, account));
    }
    const files = suites.map((s) => s.file);
    const results = await Promise.all(files.map((f) => root.test(f)));
    for (const r of results) {
      expect([r.file, r.code, r.output]).toEqual([r.file, 0, expect.stringContaining('Success!')]);
      expect(r.output).not.toMatch(/[1-9][0-9]* failed/);
    }
    // About 70 s of CPU in all (most of it starting the 700 MB provider for each run and its teardown): ~40 s on an
    // idle 2-core machine; the bound leaves room for a loaded one.
  }, 300_000);
});
