import { describe, expect, it } from 'vitest';
import { executionRoleArn } from '../bootstrap/names.ts';
import { controlPlaneExample } from '../testing/deploy-fixtures.ts';
import { synthesizeControlPlane } from './index.ts';
import { ecrRepositoryArn } from './model.ts';

const synth = (edit?: (spec: Record<string, any>) => void) => {
  const result = synthesizeControlPlane(controlPlaneExample(edit));
  return { result, tf: JSON.parse(result.json) };
};
const { result, tf } = synth();
const res = tf.resource;
const statements = (text: string) => JSON.parse(text).Statement as { Sid: string; Effect: string; Action: string | string[]; Resource: string | string[] }[];
const container = () => JSON.parse(res.aws_ecs_task_definition.api_task.container_definitions)[0];

describe('the control plane stack', () => {
  it('passes the guardrails', () => {
    expect(result.violations).toEqual([]);
  });

  it('keeps its state beside cdk.tf.json, wherever the synth ran', () => {
    expect(tf.terraform.backend).toEqual({ local: { path: 'terraform.tfstate' } });
  });

  it('keeps the store in one table: pk/sk, on demand, PITR, its own KMS key, TTL on expiresAt, deletion protection', () => {
    expect(res.aws_dynamodb_table.store_table).toMatchObject({
      name: 'terrace',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'pk',
      range_key: 'sk',
      attribute: [{ name: 'pk', type: 'S' }, { name: 'sk', type: 'S' }],
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: '${aws_kms_key.store_key.arn}' },
      ttl: { attribute_name: 'expiresAt', enabled: true },
      deletion_protection_enabled: true,
    });
    expect(res.aws_kms_key.store_key.enable_key_rotation).toBe(true);
  });

  it("lets the task assume only the target accounts' bootstrap roles, and use only its table and key", () => {
    const task = statements(res.aws_iam_role_policy.roles_task_policy.policy);
    expect(task.map((s) => s.Sid)).toEqual(['AssumeTargetRoles', 'Store', 'StoreKey']);
    expect(task[0]).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [executionRoleArn('222222222222'), executionRoleArn('333333333333')] });
    expect(task[0].Resource).toEqual(['arn:aws:iam::222222222222:role/terrace/terrace-execution', 'arn:aws:iam::333333333333:role/terrace/terrace-execution']);
    expect(task[1].Resource).toBe('${aws_dynamodb_table.store_table.arn}');
    expect([task[1].Action].flat().every((a) => a.startsWith('dynamodb:') && !a.includes('*'))).toBe(true);
    expect([task[1].Action].flat()).not.toContain('dynamodb:DeleteTable');
    expect(task[2].Resource).toBe('${aws_kms_key.store_key.arn}');
    expect(res.aws_iam_role.roles_task.name).toBe('terrace-control-plane-task');
    expect(result.taskRoleArn).toBe('arn:aws:iam::999999999999:role/terrace-control-plane-task');
  });

  it('starts tasks with the image from its ECR repository, the log group and the admin token only', () => {
    const exec = statements(res.aws_iam_role_policy.roles_execution_policy.policy);
    expect(exec.find((s) => s.Sid === 'Pull')?.Resource).toBe('arn:aws:ecr:eu-west-1:999999999999:repository/terrace');
    expect(exec.find((s) => s.Sid === 'AdminToken')?.Resource).toBe('${aws_secretsmanager_secret.admin_token.arn}');
    expect(ecrRepositoryArn('ghcr.io/acme/terrace:1')).toBeUndefined();
    expect(ecrRepositoryArn('999999999999.dkr.ecr.eu-west-1.amazonaws.com/team/terrace@sha256:' + 'a'.repeat(64))).toBe('arn:aws:ecr:eu-west-1:999999999999:repository/team/terrace');
  });

  it('runs two or more tasks across AZs, rolling back a failed deployment, with time for terraform to stop', () => {
    expect(res.aws_ecs_service.api_service).toMatchObject({
      desired_count: 2,
      launch_type: 'FARGATE',
      deployment_circuit_breaker: { enable: true, rollback: true },
      network_configuration: { assign_public_ip: false, subnets: ['${aws_subnet.network_vpc_private_subnet_0.id}', '${aws_subnet.network_vpc_private_subnet_1.id}'] },
    });
    expect(res.aws_subnet.network_vpc_private_subnet_0.availability_zone).not.toBe(res.aws_subnet.network_vpc_private_subnet_1.availability_zone);
    const c = container();
    expect(c).toMatchObject({ stopTimeout: 120, readonlyRootFilesystem: true, image: '999999999999.dkr.ecr.eu-west-1.amazonaws.com/terrace:0.1.0' });
    expect(c.mountPoints).toContainEqual({ sourceVolume: 'data', containerPath: '/var/lib/terrace' });
    expect(c.healthCheck.command.join(' ')).toContain('/healthz');
  });

  it('wires the TERRACE_* configuration from the stack, the admin token as a secret', () => {
    const env = Object.fromEntries(container().environment.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toMatchObject({ TERRACE_TABLE: 'terrace', AWS_REGION: 'eu-west-1', HOST: '0.0.0.0', TERRACE_DATA_DIR: '/var/lib/terrace' });
    // The internal ALB sits in the private subnets: X-Forwarded-For is trusted from there only.
    expect(env.TERRACE_TRUST_PROXY).toBe('10.90.0.0/22,10.90.4.0/22');
    expect(container().secrets).toEqual([{ name: 'TERRACE_ADMIN_TOKEN', valueFrom: '${aws_secretsmanager_secret.admin_token.arn}' }]);
    expect(res.aws_secretsmanager_secret_version).toBeUndefined();
  });

  it('serves HTTPS only, on an internal ALB unless the document says public', () => {
    expect(res.aws_lb.alb_lb).toMatchObject({ internal: true, drop_invalid_header_fields: true, enable_deletion_protection: true });
    expect(Object.values(res.aws_lb_listener).map((l: any) => [l.port, l.protocol])).toEqual([[443, 'HTTPS']]);
    expect(res.aws_lb_target_group.alb_tasks.health_check.path).toBe('/readyz');
    expect(res.aws_vpc_security_group_ingress_rule.network_alb_https.cidr_ipv4).toBe('10.90.0.0/20');

    const pub = synth((spec) => (spec.public = true));
    expect(pub.result.violations).toEqual([]);
    expect(pub.tf.resource.aws_lb.alb_lb.internal).toBe(false);
    expect(pub.tf.resource.aws_lb.alb_lb.subnets).toEqual(['${aws_subnet.network_vpc_public_subnet_0.id}', '${aws_subnet.network_vpc_public_subnet_1.id}']);
    expect(pub.tf.resource.aws_vpc_security_group_ingress_rule.network_alb_https.cidr_ipv4).toBe('0.0.0.0/0');
  });

  it('takes HTTPS from each of spec.allowedCidrs (VPN, peered networks), one rule per range', () => {
    const rules = (edit?: (spec: Record<string, any>) => void) => Object.values(synth(edit).tf.resource.aws_vpc_security_group_ingress_rule as Record<string, any>)
      .filter((r) => r.security_group_id === '${aws_security_group.network_alb.id}').map((r) => [r.cidr_ipv4, r.from_port, r.to_port]);
    expect(rules()).toEqual([['10.90.0.0/20', 443, 443]]);
    expect(rules((spec) => (spec.allowedCidrs = ['10.90.0.0/20', '172.16.0.0/12', '192.168.4.0/24']))).toEqual([['10.90.0.0/20', 443, 443], ['172.16.0.0/12', 443, 443], ['192.168.4.0/24', 443, 443]]);
    expect(rules((spec) => (spec.allowedCidrs = ['172.16.0.0/12']))).toEqual([['172.16.0.0/12', 443, 443]]);
    expect(rules((spec) => Object.assign(spec, { public: true, allowedCidrs: ['203.0.113.0/24'] }))).toEqual([['203.0.113.0/24', 443, 443]]);
    expect(() => synth((spec) => (spec.allowedCidrs = ['0.0.0.0/0']))).toThrow(/spec.allowedCidrs\[0\]: 0.0.0.0\/0 is the whole internet/);
  });

  it('puts a WAF (common rules, a rate limit) in front of a public ALB by default, and where the document asks', () => {
    const waf = (edit?: (spec: Record<string, any>) => void) => synth(edit).tf.resource.aws_wafv2_web_acl_association?.waf_alb;
    expect(waf()).toBeUndefined();
    expect(waf((spec) => (spec.public = true))).toEqual(expect.objectContaining({ resource_arn: '${aws_lb.alb_lb.arn}', web_acl_arn: '${aws_wafv2_web_acl.waf_acl.arn}' }));
    expect(waf((spec) => Object.assign(spec, { public: true, waf: false }))).toBeUndefined();
    expect(waf((spec) => (spec.waf = true))).toBeDefined();
    const rules = synth((spec) => (spec.public = true)).tf.resource.aws_wafv2_web_acl.waf_acl.rule;
    expect(rules.map((r: any) => Object.keys(r.statement)[0])).toEqual(['managed_rule_group_statement', 'rate_based_statement']);
  });

  it('alarms on /readyz, healthy and running tasks below desired, reconcile failures and stalled environments from the logs', () => {
    const alarms = res.aws_cloudwatch_metric_alarm;
    expect(Object.values(alarms).map((a: any) => a.alarm_name).sort()).toEqual(['terrace-environment-stalled', 'terrace-healthy-tasks-low', 'terrace-readyz-failing', 'terrace-reconcile-failures', 'terrace-running-tasks-low']);
    expect(alarms.alarms_healthy_tasks_low).toMatchObject({ threshold: 2, treat_missing_data: 'breaching' });
    const filters = res.aws_cloudwatch_log_metric_filter;
    expect(filters.alarms_reconcile_failure_lines.pattern).toBe('{ $.level = 40 && $.tier = "*" && $.reason = "*" }');
    expect(filters.alarms_stalled_lines).toMatchObject({ pattern: '{ $.level = 40 && $.msg = "* stalled (*" }', metric_transformation: { name: 'EnvironmentsStalled', namespace: 'terrace' } });
    expect(alarms.alarms_environment_stalled).toMatchObject({ namespace: 'terrace', metric_name: 'EnvironmentsStalled' });
  });
});
