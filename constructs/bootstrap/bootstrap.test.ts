import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../specs/validate.ts';
import { synthesizeTier } from '../index.ts';
import { bootstrapTargetExample, CONTROL_PLANE_ROLE } from '../testing/deploy-fixtures.ts';
import { awsExample, FAKE_INPUTS, withSpec } from '../testing/fixtures.ts';
import { completeTarget, synthesizeBootstrap } from './index.ts';

const target = bootstrapTargetExample();
const result = synthesizeBootstrap(target, CONTROL_PLANE_ROLE);
const tf = JSON.parse(result.json);
const res = tf.resource;
const policy = (text: string) => JSON.parse(text) as { Statement: { Sid?: string; Effect: string; Action: string | string[]; Resource?: string | string[]; Principal?: unknown; Condition?: any }[] };
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
const grants = Object.entries(res.aws_iam_policy as Record<string, { policy: string }>).filter(([name]) => name !== 'execution_boundary').flatMap(([, p]) => policy(p.policy).Statement);
const boundary = policy(res.aws_iam_policy.execution_boundary.policy).Statement;
const STATE_KEY = 'arn:aws:kms:eu-west-1:333333333333:key/00000000-0000-4000-8000-000000000000';
const known = (text: string) => text
  .replaceAll('${aws_s3_bucket.state_bucket_bucket_bucket.arn}', 'arn:aws:s3:::terrace-state-333333333333-eu-west-1')
  .replaceAll('${aws_kms_key.state_key_key.arn}', STATE_KEY);
/** Whether the execution role may call action on resource: a grant and the boundary allow it, no Deny refuses it (conditions taken as met). */
function permitted(action: string, resource: string): boolean {
  const matches = (s: (typeof grants)[number]) => list(s.Action).some((a) => glob(a).test(action)) && list(s.Resource).some((r) => glob(known(r)).test(resource));
  const all = [...grants, ...boundary];
  return grants.some((s) => s.Effect === 'Allow' && matches(s)) && boundary.some((s) => s.Effect === 'Allow' && matches(s)) && !all.some((s) => s.Effect === 'Deny' && matches(s));
}

describe('the target account bootstrap stack', () => {
  it('passes the guardrails', () => {
    expect(result.violations).toEqual([]);
  });

  it('lets only the control plane role assume the execution role, and only with the external id', () => {
    const role = res.aws_iam_role.execution_role;
    expect(policy(role.assume_role_policy).Statement).toEqual([{
      Sid: 'ControlPlaneOnly',
      Effect: 'Allow',
      Principal: { AWS: CONTROL_PLANE_ROLE },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': '5b0e8d1c4f3a2e6d9c7b1a0f8e2d4c6b' } },
    }]);
    expect(role).toMatchObject({ name: 'terrace-execution', path: '/terrace/', permissions_boundary: '${aws_iam_policy.execution_boundary.arn}' });
    expect(Object.keys(res.aws_iam_role)).toEqual(['execution_role']);
    // Only managed policies of this stack, attached to that role; nothing inline.
    expect(Object.values(res.aws_iam_role_policy_attachment).map((a: any) => a.role)).toEqual(Array(4).fill('${aws_iam_role.execution_role.name}'));
  });

  it('grants no wildcard action, and writes only on this account and region', () => {
    const actions = grants.flatMap((s) => list(s.Action));
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    for (const s of grants.filter((s) => s.Effect === 'Allow' && list(s.Resource).includes('*'))) {
      // On `*`: reads; the creates AWS authorizes only on `*` (a key, a Cloud Map namespace) only with terrace's tag;
      // and the hosted zone Cloud Map creates for a namespace with the caller's rights (no tag condition exists).
      const taggedCreate = list(s.Action).every((a) => ['kms:CreateKey', 'servicediscovery:CreatePrivateDnsNamespace'].includes(a)) && s.Condition?.StringEquals?.['aws:RequestTag/managed-by'] === 'terrace';
      expect(list(s.Action).every((a) => /:(Describe|List|Get)/.test(a)) || taggedCreate || s.Action === 'route53:CreateHostedZone', JSON.stringify(s)).toBe(true);
    }
    const resources = grants.flatMap((s) => list(s.Resource)).filter((r) => r !== '*' && !r.startsWith('${'));
    expect(resources.filter((r) => !/^arn:aws:(s3:::|iam::333333333333:|(cloudfront|cloudwatch)::333333333333:|[a-z0-9-]+:eu-west-1:333333333333:)/.test(r)).sort()).toEqual([
      // CloudFront's web ACL, its alarm's topic and key, and the alarm: us-east-1 only, whatever the region.
      'arn:aws:cloudwatch:us-east-1:333333333333:alarm:*', 'arn:aws:kms:us-east-1:333333333333:alias/*', 'arn:aws:kms:us-east-1:333333333333:key/*',
      'arn:aws:sns:us-east-1:333333333333:*-observability-*', 'arn:aws:wafv2:us-east-1:333333333333:global/*',
    ]);
  });

  it('may build the edge the tiers now have: endpoints, network ACLs, web ACLs, the ALB log bucket, CloudFront\'s alarm in us-east-1', () => {
    const actions = grants.flatMap((s) => list(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['ec2:CreateVpcEndpoint', 'ec2:ReplaceNetworkAclAssociation', 'wafv2:CreateWebACL', 'wafv2:AssociateWebACL', 'elasticloadbalancing:SetWebAcl']));
    expect(grants.find((s) => s.Sid === 'WebAcls')!.Resource).toEqual(expect.arrayContaining(['arn:aws:wafv2:us-east-1:333333333333:global/*', 'arn:aws:wafv2:eu-west-1:333333333333:regional/*']));
    expect(grants.flatMap((s) => list(s.Resource))).toEqual(expect.arrayContaining(['arn:aws:s3:::*-compute-alb-logs-*', 'arn:aws:sns:us-east-1:333333333333:*-observability-*']));
    const ceiling = boundary.find((s) => s.Sid === 'Ceiling')!;
    expect(list(ceiling.Action)).toEqual(expect.arrayContaining(['wafv2:*WebACL*', 'elasticloadbalancing:Set*']));
    expect(list(ceiling.Resource)).toEqual(expect.arrayContaining(['arn:aws:*:us-east-1:333333333333:*', 'arn:aws:s3:::*-compute-alb-logs-*']));
  });

  it('creates and passes roles only under /terrace/ with the boundary, which nobody may remove', () => {
    const create = grants.find((s) => list(s.Action).includes('iam:CreateRole'))!;
    expect(create).toMatchObject({ Resource: 'arn:aws:iam::333333333333:role/terrace/*', Condition: { StringEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::333333333333:policy/terrace/terrace-boundary' } } });
    const pass = grants.find((s) => list(s.Action).includes('iam:PassRole'))!;
    expect(pass).toMatchObject({ Resource: 'arn:aws:iam::333333333333:role/terrace/*', Condition: { StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com', 'vpc-flow-logs.amazonaws.com', 'scheduler.amazonaws.com'] } } });
    expect(grants.flatMap((s) => list(s.Action)).filter((a) => /^iam:(Attach|CreatePolicy|DeleteRolePermissionsBoundary|CreateUser|CreateAccessKey)/.test(a))).toEqual([]);
    const deny = boundary.find((s) => s.Effect === 'Deny')!;
    expect(list(deny.Action)).toContain('iam:DeleteRolePermissionsBoundary');
    expect(boundary.find((s) => list(s.Action).includes('iam:CreateRole'))?.Condition).toEqual(create.Condition);
  });

  it('may neither rewrite its own role nor destroy, re-policy or grant on the state key, but still manage the tiers\' roles and keys', () => {
    const self = 'arn:aws:iam::333333333333:role/terrace/terrace-execution';
    for (const a of ['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:DeleteRole',
      'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:TagRole', 'iam:UntagRole']) expect(permitted(a, self), a).toBe(false);
    for (const a of ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:CreateGrant', 'kms:TagResource', 'kms:UntagResource']) expect(permitted(a, STATE_KEY), a).toBe(false);
    expect(permitted('kms:GenerateDataKey', STATE_KEY)).toBe(true);
    const tierRole = 'arn:aws:iam::333333333333:role/terrace/chat-prod-compute-web-task';
    for (const a of ['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRole', 'iam:TagRole']) expect(permitted(a, tierRole), a).toBe(true);
    for (const a of ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:CreateGrant']) expect(permitted(a, 'arn:aws:kms:eu-west-1:333333333333:key/11111111-1111-4111-8111-111111111111'), a).toBe(true);
  });

  it('grants and lets through what a scheduled run needs: the schedule, its role passed to the scheduler, and RunTask for that role', () => {
    const { environment, target } = awsExample('chat-prod');
    const onBootstrapped = { ...target, spec: { ...target.spec, accountId: '333333333333', region: 'eu-west-1', roleArn: 'arn:aws:iam::333333333333:role/terrace/terrace-execution' } };
    const nightly = { name: 'cleanup', schedule: 'cron(0 3 * * ? *)', service: 'worker', command: ['true'] };
    const compute = JSON.parse(synthesizeTier({ environment: withSpec(environment, (s) => (s.compute.schedules = [nightly])), target: onBootstrapped, tier: 'compute', inputs: FAKE_INPUTS }).json).resource;
    const [id, schedule] = Object.entries(compute.aws_scheduler_schedule as Record<string, { name: string; target: { role_arn: string } }>)[0]!;
    const roleId = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(schedule.target.role_arn)![1]!;
    const role = compute.aws_iam_role[roleId];
    expect(role, id).toMatchObject({ path: '/terrace/', permissions_boundary: 'arn:aws:iam::333333333333:policy/terrace/terrace-boundary' });
    const scheduleArn = `arn:aws:scheduler:eu-west-1:333333333333:schedule/default/${schedule.name}`;
    for (const a of ['scheduler:CreateSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule']) expect(permitted(a, scheduleArn), a).toBe(true);
    // Creating the schedule passes its role to the scheduler.
    const roleArn = `arn:aws:iam::333333333333:role/terrace/${role.name}`;
    expect(permitted('iam:PassRole', roleArn)).toBe(true);
    const passedTo = (statements: typeof grants) => statements.filter((s) => list(s.Action).includes('iam:PassRole')).flatMap((s) => list(s.Condition?.StringEquals?.['iam:PassedToService']));
    expect(passedTo(grants)).toContain('scheduler.amazonaws.com');
    expect(passedTo(boundary)).toContain('scheduler.amazonaws.com');
    // The schedule's role runs under the boundary: every action of its policies must pass the ceiling.
    const own = Object.values(compute.aws_iam_role_policy as Record<string, { role: string; policy: string }>).filter((p) => p.role === `\${aws_iam_role.${roleId}.id}`);
    const actions = own.flatMap((p) => policy(p.policy).Statement).flatMap((st) => list(st.Action));
    expect(actions).toEqual(expect.arrayContaining(['ecs:RunTask', 'iam:PassRole']));
    const ceiling = boundary.filter((s) => s.Effect === 'Allow');
    for (const a of actions) expect(ceiling.some((s) => list(s.Action).some((c) => glob(c).test(a))), a).toBe(true);
    expect(ceiling.some((s) => list(s.Action).some((c) => glob(c).test('ecs:RunTask')) && list(s.Resource).some((r) => glob(r).test('arn:aws:ecs:eu-west-1:333333333333:task-definition/chat-prod-compute-worker:1')))).toBe(true);
  });

  it('grants what the database setup needs: RunTask and StopTask of the data tier\'s task, its role passed to ECS, and reader autoscaling\'s service-linked role', () => {
    const taskDefinition = 'arn:aws:ecs:eu-west-1:333333333333:task-definition/chat-prod-data-db-setup:1';
    expect(permitted('ecs:RunTask', taskDefinition)).toBe(true);
    expect(permitted('ecs:StopTask', 'arn:aws:ecs:eu-west-1:333333333333:task/chat-prod-data-setup/0123456789abcdef')).toBe(true);
    expect(permitted('ecs:DescribeTasks', 'arn:aws:ecs:eu-west-1:333333333333:task/chat-prod-data-setup/0123456789abcdef')).toBe(true);
    expect(permitted('iam:PassRole', 'arn:aws:iam::333333333333:role/terrace/chat-prod-data-db-setup-exec')).toBe(true);
    const linked = grants.filter((g) => list(g.Action).includes('iam:CreateServiceLinkedRole')).flatMap((g) => list(g.Condition?.StringEquals?.['iam:AWSServiceName']));
    expect(linked).toContain('rds.application-autoscaling.amazonaws.com');
  });

  it("grants the data tier's own Redis parameter group, and the role listing the provider does before deleting a role", () => {
    const group = 'arn:aws:elasticache:eu-west-1:333333333333:parametergroup:chat-prod-data-redis';
    for (const a of ['elasticache:CreateCacheParameterGroup', 'elasticache:ModifyCacheParameterGroup', 'elasticache:DeleteCacheParameterGroup']) expect(permitted(a, group), a).toBe(true);
    expect(permitted('iam:ListInstanceProfilesForRole', 'arn:aws:iam::333333333333:role/terrace/chat-prod-compute-web-task')).toBe(true);
  });

  it("grants what the compute tier's service names need (a Cloud Map namespace, its zone, each service's entry)", () => {
    const actions = grants.flatMap((s) => list(s.Action));
    for (const a of ['servicediscovery:CreatePrivateDnsNamespace', 'route53:CreateHostedZone', 'route53:GetHostedZone', 'route53:ListHostedZonesByName',
      'servicediscovery:CreateService', 'servicediscovery:DeleteService', 'servicediscovery:DeleteNamespace']) expect(actions.some((g) => glob(g).test(a)), a).toBe(true);
  });

  it('has a boundary that lets every granted action through (IAM takes the intersection)', () => {
    const ceiling = boundary.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action)).map(glob);
    const cut = grants.flatMap((s) => list(s.Action)).filter((a) => !ceiling.some((c) => c.test(a)));
    expect(cut).toEqual([]);
  });

  it("fits every managed policy in IAM's 6144 characters once the ARNs are known", () => {
    const sizes = Object.values(res.aws_iam_policy as Record<string, { policy: string }>).map((p) => known(p.policy));
    expect(sizes.every((text) => !text.includes('${'))).toBe(true);
    expect(Math.max(...sizes.map((text) => text.replace(/\s/g, '').length))).toBeLessThan(6144);
  });

  it('keeps state in a private, versioned bucket encrypted with its own rotated key, refusing HTTP and other encryption', () => {
    expect(res.aws_kms_key.state_key_key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(res.aws_s3_bucket.state_bucket_bucket_bucket.bucket).toBe('terrace-state-333333333333-eu-west-1');
    expect(res.aws_s3_bucket_server_side_encryption_configuration.state_bucket_bucket_encryption.rule[0]).toEqual({
      apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.state_key_key.arn}' },
      bucket_key_enabled: true,
    });
    expect(res.aws_s3_bucket_versioning.state_bucket_bucket_versioning.versioning_configuration.status).toBe('Enabled');
    expect(res.aws_s3_bucket_lifecycle_configuration.state_bucket_bucket_lifecycle.rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
    expect(res.aws_s3_bucket_public_access_block.state_bucket_bucket_public_access_block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    const statements = policy(res.aws_s3_bucket_policy.state_bucket_policy.policy).Statement;
    expect(statements.every((s) => s.Effect === 'Deny')).toBe(true);
    expect(statements.find((s) => s.Sid === 'DenyInsecureTransport')?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    expect(statements.find((s) => s.Sid === 'DenyOtherEncryption')).toMatchObject({
      Action: 's3:PutObject',
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' }, Null: { 's3:x-amz-server-side-encryption': 'false' } },
    });
    expect(statements.find((s) => s.Sid === 'DenyOtherKeys')?.Condition.StringNotEquals).toEqual({ 's3:x-amz-server-side-encryption-aws-kms-key-id': '${aws_kms_key.state_key_key.arn}' });
    // SSE-C: no x-amz-server-side-encryption header, so only its own statement refuses it.
    expect(statements.filter((s) => s.Condition?.Null?.['s3:x-amz-server-side-encryption-customer-algorithm'] === 'false')).toEqual([{
      Sid: 'DenyCustomerKeys', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: '${aws_s3_bucket.state_bucket_bucket_bucket.arn}/*',
      Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
    }]);
  });

  it('keeps its state beside cdk.tf.json, wherever the synth ran', () => {
    expect(tf.terraform.backend).toEqual({ local: { path: 'terraform.tfstate' } });
  });

  it("outputs exactly the Target's fields, and prints a Target that validates", () => {
    expect(Object.keys(tf.output).sort()).toEqual(['accountId', 'externalId', 'provider', 'region', 'roleArn', 'stateBucket']);
    expect(tf.output.roleArn.value).toBe('${aws_iam_role.execution_role.arn}');
    const printed = parseTarget(result.target);
    expect(printed.spec).toEqual({
      provider: 'aws', accountId: '333333333333', region: 'eu-west-1', externalId: '5b0e8d1c4f3a2e6d9c7b1a0f8e2d4c6b',
      roleArn: 'arn:aws:iam::333333333333:role/terrace/terrace-execution', stateBucket: 'terrace-state-333333333333-eu-west-1',
      // Kept from the Target given (the prod example forbids previews).
      previews: { allowed: false, max: 10 },
    });
    expect(tf.provider.aws[0]).toMatchObject({ region: 'eu-west-1', allowed_account_ids: ['333333333333'] });
  });

  it('refuses a Target without an external id or with a role it does not create', () => {
    const { externalId: _, ...noId } = target.spec;
    expect(() => synthesizeBootstrap({ ...target, spec: noId }, CONTROL_PLANE_ROLE)).toThrow(/spec.externalId is required/);
    expect(() => synthesizeBootstrap({ ...target, spec: { ...target.spec, roleArn: 'arn:aws:iam::333333333333:role/other' } }, CONTROL_PLANE_ROLE)).toThrow(/spec.roleArn must be arn:aws:iam::333333333333:role\/terrace\/terrace-execution/);
    expect((completeTarget({ spec: { accountId: '333333333333', region: 'eu-west-1', stateBucket: 'mine' } }) as any).spec.stateBucket).toBe('mine');
  });
});
