// Both deploy stacks (target bootstrap, control plane) planned and applied by `terraform test` against a
// `mock_provider "aws"`: the real provider schema and validators, no AWS. It needs the AWS provider from a
// filesystem mirror (TERRACE_TF_PLUGIN_MIRROR, default /opt/tf-plugins, as the image has); else it is skipped.
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizeBootstrap } from '../bootstrap/index.ts';
import { bootstrapTargetExample, controlPlaneExample, CONTROL_PLANE_ROLE } from '../testing/deploy-fixtures.ts';
import { MockApplyRoot, mirroredAwsVersion, mockDefaults } from '../testing/mock-apply.ts';
import { synthesizeControlPlane } from './index.ts';

const version = mirroredAwsVersion();

/** ARNs of the right form for what the stacks pass to ARN-validated arguments; the mock's random strings are not. */
const mock = (type: string, attrs: Record<string, string>) => mockDefaults('resource', type, attrs);

const BOOTSTRAP_TEST = `mock_provider "aws" {
${mock('aws_iam_policy', { arn: 'arn:aws:iam::333333333333:policy/terrace/terrace-boundary' })}
${mock('aws_iam_role', { arn: 'arn:aws:iam::333333333333:role/terrace/terrace-execution' })}
${mock('aws_kms_key', { arn: 'arn:aws:kms:eu-west-1:333333333333:key/00000000-0000-4000-8000-000000000000' })}
${mock('aws_s3_bucket', { arn: 'arn:aws:s3:::terrace-state-333333333333-eu-west-1' })}
}

run "apply" {
  command = apply
  module {
    source = "./stacks/bootstrap"
  }
  assert {
    condition     = output.stateBucket == "terrace-state-333333333333-eu-west-1" && output.externalId == "5b0e8d1c4f3a2e6d9c7b1a0f8e2d4c6b"
    error_message = "the outputs are not the Target's fields"
  }
  assert {
    condition     = aws_iam_role.execution_role.permissions_boundary == aws_iam_policy.execution_boundary.arn
    error_message = "the execution role is not under the boundary"
  }
}
`;

const CONTROL_PLANE_TEST = `mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
${mock('aws_kms_key', { arn: 'arn:aws:kms:eu-west-1:999999999999:key/00000000-0000-4000-8000-000000000000' })}
${mock('aws_iam_role', { arn: 'arn:aws:iam::999999999999:role/terrace-control-plane-task' })}
${mock('aws_cloudwatch_log_group', { arn: 'arn:aws:logs:eu-west-1:999999999999:log-group:/terrace/control-plane' })}
${mock('aws_lb', { arn: 'arn:aws:elasticloadbalancing:eu-west-1:999999999999:loadbalancer/app/terrace/0123456789abcdef', arn_suffix: 'app/terrace/0123456789abcdef' })}
${mock('aws_lb_target_group', { arn: 'arn:aws:elasticloadbalancing:eu-west-1:999999999999:targetgroup/terrace-api/0123456789abcdef', arn_suffix: 'targetgroup/terrace-api/0123456789abcdef' })}
${mock('aws_secretsmanager_secret', { arn: 'arn:aws:secretsmanager:eu-west-1:999999999999:secret:terrace/admin-token-AbCdEf' })}
${mock('aws_ecs_cluster', { arn: 'arn:aws:ecs:eu-west-1:999999999999:cluster/terrace' })}
${mock('aws_ecs_task_definition', { arn: 'arn:aws:ecs:eu-west-1:999999999999:task-definition/terrace:1' })}
${mock('aws_wafv2_web_acl', { arn: 'arn:aws:wafv2:eu-west-1:999999999999:regional/webacl/terrace-api/00000000-0000-4000-8000-000000000000' })}
}

run "apply" {
  command = apply
  module {
    source = "./stacks/control-plane"
  }
  assert {
    condition     = aws_dynamodb_table.store_table.point_in_time_recovery[0].enabled && aws_dynamodb_table.store_table.deletion_protection_enabled
    error_message = "the table lost PITR or deletion protection"
  }
  assert {
    condition     = aws_ecs_service.api_service.deployment_circuit_breaker[0].rollback
    error_message = "the service does not roll back"
  }
}
`;

describe.skipIf(!version)(`terraform test with mock_provider "aws" ${version}`, () => {
  const root = new MockApplyRoot(version!);
  afterAll(() => root.dispose());

  it('plans and applies the bootstrap and the control plane stacks', async () => {
    root.addStack('bootstrap', synthesizeBootstrap(bootstrapTargetExample(), CONTROL_PLANE_ROLE).json);
    root.addStack('control-plane', synthesizeControlPlane(controlPlaneExample((spec) => (spec.public = true))).json);
    root.addTest('bootstrap.tftest.hcl', BOOTSTRAP_TEST);
    root.addTest('control-plane.tftest.hcl', CONTROL_PLANE_TEST);
    const init = await root.init();
    expect([init.code, init.output]).toEqual([0, expect.stringContaining('Terraform has been successfully initialized')]);
    const results = await Promise.all([root.test('bootstrap.tftest.hcl'), root.test('control-plane.tftest.hcl')]);
    for (const r of results) expect([r.file, r.code, r.output]).toEqual([r.file, 0, expect.stringContaining('Success! 1 passed, 0 failed.')]);
  }, 120_000);
});
