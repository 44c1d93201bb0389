import { describe, expect, it } from 'vitest';
import { synthesizeEnvironment } from '../index.ts';
import { awsExample, devEnvironment, LOCAL_TARGET } from '../testing/fixtures.ts';
import { checkGuardrails } from './index.ts';

const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const privateBucket = (name: string) => ({
  aws_s3_bucket: { [name]: { bucket: name } },
  aws_s3_bucket_public_access_block: { [name]: { bucket: `\${aws_s3_bucket.${name}.id}`, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true } },
  aws_s3_bucket_server_side_encryption_configuration: { [name]: { bucket: `\${aws_s3_bucket.${name}.id}` } },
});

const rolePolicy = (...statements: object[]) => ({ resource: { aws_iam_role_policy: { task: { policy: policy(...statements) } } } });
const ingressRule = (cidr: Record<string, string>) => ({ resource: { aws_vpc_security_group_ingress_rule: { ssh: { security_group_id: '${aws_security_group.app.id}', ip_protocol: 'tcp', from_port: 22, to_port: 22, ...cidr } } } });
const bucketPolicy = (Principal: unknown, Condition: object) => ({ resource: { ...privateBucket('site'), aws_s3_bucket_policy: { site: { bucket: 'x', policy: policy({ Effect: 'Allow', Principal, Action: 's3:GetObject', Resource: 'arn:aws:s3:::site/*', Condition }) } } } });
const SENSITIVE_READS = ['secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'kms:Decrypt', 's3:GetObject', 'dynamodb:GetItem'];

const BAD: [string, string, string, object][] = [
  ['db group open to the world', 'no-open-ingress', 'aws_security_group.db', { resource: { aws_security_group: { db: { ingress: [{ from_port: 5432, to_port: 5432, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }] } } } }],
  ['IPv6 rule open to the world', 'no-open-ingress', 'aws_vpc_security_group_ingress_rule.ssh', { resource: { aws_vpc_security_group_ingress_rule: { ssh: { security_group_id: '${aws_security_group.app.id}', ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr_ipv6: '::/0' } } } }],
  ['443 open on a group that is not the ALB', 'no-open-ingress', 'aws_vpc_security_group_ingress_rule.https', { resource: { aws_security_group: { app: {} }, aws_vpc_security_group_ingress_rule: { https: { security_group_id: '${aws_security_group.app.id}', ip_protocol: 'tcp', from_port: 443, to_port: 443, cidr_ipv4: '0.0.0.0/0' } } } }],
  ['all ports open on the ALB group', 'no-open-ingress', 'aws_vpc_security_group_ingress_rule.all', { resource: { aws_security_group: { alb: { tags: { 'terrace:purpose': 'public-alb' } } }, aws_vpc_security_group_ingress_rule: { all: { security_group_id: '${aws_security_group.alb.id}', ip_protocol: '-1', cidr_ipv4: '0.0.0.0/0' } } } }],
  ['legacy rule resource', 'no-open-ingress', 'aws_security_group_rule.redis', { resource: { aws_security_group_rule: { redis: { type: 'ingress', security_group_id: 'sg-1', protocol: 'tcp', from_port: 6379, to_port: 6379, cidr_blocks: ['0.0.0.0/0'] } } } }],
  ['bucket without public access block', 'no-public-bucket', 'aws_s3_bucket.site', { resource: { aws_s3_bucket: { site: {} }, aws_s3_bucket_server_side_encryption_configuration: { s: { bucket: '${aws_s3_bucket.site.id}' } } } }],
  ['public access block with a flag off', 'no-public-bucket', 'aws_s3_bucket_public_access_block.site', { resource: { ...privateBucket('site'), aws_s3_bucket_public_access_block: { site: { bucket: '${aws_s3_bucket.site.id}', block_public_acls: true, block_public_policy: false, ignore_public_acls: true, restrict_public_buckets: true } } } }],
  ['public-read ACL', 'no-public-bucket', 'aws_s3_bucket_acl.site', { resource: { ...privateBucket('site'), aws_s3_bucket_acl: { site: { bucket: '${aws_s3_bucket.site.id}', acl: 'public-read' } } } }],
  ['policy allowing everyone', 'no-public-bucket', 'aws_s3_bucket_policy.site', { resource: { ...privateBucket('site'), aws_s3_bucket_policy: { site: { bucket: '${aws_s3_bucket.site.id}', policy: policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::site/*' }) } } } }],
  ['policy allowing AWS "*" with an unrelated condition', 'no-public-bucket', 'aws_s3_bucket_policy.site', { resource: { ...privateBucket('site'), aws_s3_bucket_policy: { site: { bucket: 'x', policy: policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }) } } } }],
  ['unencrypted Aurora', 'encryption-at-rest', 'aws_rds_cluster.pg', { resource: { aws_rds_cluster: { pg: { storage_encrypted: false } } } }],
  ['Redis without transit encryption', 'encryption-at-rest', 'aws_elasticache_replication_group.r', { resource: { aws_elasticache_replication_group: { r: { at_rest_encryption_enabled: 'true', transit_encryption_enabled: false } } } }],
  ['queue without SSE', 'encryption-at-rest', 'aws_sqs_queue.jobs', { resource: { aws_sqs_queue: { jobs: { name: 'jobs' } } } }],
  ['bucket without SSE configuration', 'encryption-at-rest', 'aws_s3_bucket.logs', { resource: { aws_s3_bucket: { logs: {} }, aws_s3_bucket_public_access_block: privateBucket('logs').aws_s3_bucket_public_access_block } }],
  ['topic without KMS', 'encryption-at-rest', 'aws_sns_topic.alarms', { resource: { aws_sns_topic: { alarms: { name: 'alarms' } } } }],
  ['Action "*"', 'iam-least-privilege', 'aws_iam_role_policy.admin', { resource: { aws_iam_role_policy: { admin: { policy: policy({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::x' }) } } } }],
  ['write on Resource "*"', 'iam-least-privilege', 'aws_iam_role_policy.task', { resource: { aws_iam_role_policy: { task: { policy: policy({ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'], Resource: '*' }) } } } }],
  ['service wildcard on "*" in an inline policy', 'iam-least-privilege', 'aws_iam_role.r', { resource: { aws_iam_role: { r: { inline_policy: [{ policy: policy({ Effect: 'Allow', Action: 's3:*', Resource: ['*'] }) }] } } } }],
  ['policy that cannot be read', 'iam-least-privilege', 'aws_iam_policy.p', { resource: { aws_iam_policy: { p: { policy: '${data.aws_iam_policy_document.p.json}' } } } }],
  ['plain HTTP listener forwarding', 'https-only', 'aws_lb_listener.http', { resource: { aws_lb_listener: { http: { port: 80, protocol: 'HTTP', default_action: [{ type: 'forward', target_group_arn: 'x' }] } } } }],
  ['redirect to HTTP', 'https-only', 'aws_lb_listener.http', { resource: { aws_lb_listener: { http: { port: 80, protocol: 'HTTP', default_action: [{ type: 'redirect', redirect: { protocol: 'HTTP', port: '8080' } }] } } } }],
  ['CloudFront allowing HTTP', 'https-only', 'aws_cloudfront_distribution.cdn', { resource: { aws_cloudfront_distribution: { cdn: { default_cache_behavior: { viewer_protocol_policy: 'allow-all' } } } } }],
  ['Action "iam:*" on one role', 'iam-least-privilege', 'aws_iam_role_policy.task', rolePolicy({ Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam::111111111111:role/app' })],
  ['write on arn:aws:iam::*:*', 'iam-least-privilege', 'aws_iam_role_policy.task', rolePolicy({ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::*:*' })],
  ['write on arn:*:s3:::*', 'iam-least-privilege', 'aws_iam_role_policy.task', rolePolicy({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:*:s3:::*' })],
  ['write on every object of every bucket', 'iam-least-privilege', 'aws_iam_role_policy.task', rolePolicy({ Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::*/*' })],
  ['write in any region of an account', 'iam-least-privilege', 'aws_iam_role_policy.task', rolePolicy({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:*:111111111111:jobs' })],
  ...SENSITIVE_READS.map((a): [string, string, string, object] => [`${a} on "*"`, 'iam-least-privilege', 'aws_iam_role_policy.task', rolePolicy({ Effect: 'Allow', Action: a, Resource: '*' })]),
  ['s3:Get* (covers GetObject) on every bucket', 'iam-least-privilege', 'aws_iam_role_policy.task', rolePolicy({ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::*' })],
  ['two /1 halves of the IPv4 internet', 'no-open-ingress', 'aws_security_group.db', { resource: { aws_security_group: { db: { ingress: [{ from_port: 5432, to_port: 5432, protocol: 'tcp', cidr_blocks: ['0.0.0.0/1', '128.0.0.0/1'] }] } } } }],
  ['::0/0', 'no-open-ingress', 'aws_vpc_security_group_ingress_rule.ssh', ingressRule({ cidr_ipv6: '::0/0' })],
  ['0:0:0:0:0:0:0:0/0', 'no-open-ingress', 'aws_security_group_rule.redis', { resource: { aws_security_group_rule: { redis: { type: 'ingress', security_group_id: 'sg-1', protocol: 'tcp', from_port: 6379, to_port: 6379, ipv6_cidr_blocks: ['0:0:0:0:0:0:0:0/0'] } } } }],
  ['IPv4 wider than /8', 'no-open-ingress', 'aws_vpc_security_group_ingress_rule.ssh', ingressRule({ cidr_ipv4: '64.0.0.0/2' })],
  ['IPv6 wider than /8 (all global unicast)', 'no-open-ingress', 'aws_vpc_security_group_ingress_rule.ssh', ingressRule({ cidr_ipv6: '2000::/3' })],
  ['a CIDR that cannot be read', 'no-open-ingress', 'aws_vpc_security_group_ingress_rule.ssh', ingressRule({ cidr_ipv4: '0.0.0.0/00x' })],
  ['Principal "*" with aws:SourceArn "*"', 'no-public-bucket', 'aws_s3_bucket_policy.site', bucketPolicy('*', { StringLike: { 'aws:SourceArn': '*' } })],
  ['AWS "*" with a wildcard-only aws:SourceArn', 'no-public-bucket', 'aws_s3_bucket_policy.site', bucketPolicy({ AWS: '*' }, { ArnLike: { 'aws:SourceArn': 'arn:*:*:*:*:*' } })],
  ['Principal "*" with aws:SourceArn that may be absent', 'no-public-bucket', 'aws_s3_bucket_policy.site', bucketPolicy('*', { ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:cloudfront::111111111111:distribution/E1' } })],
  ['Principal "*" with a negated aws:SourceArn', 'no-public-bucket', 'aws_s3_bucket_policy.site', bucketPolicy('*', { ArnNotEquals: { 'aws:SourceArn': 'arn:aws:cloudfront::111111111111:distribution/E1' } })],
  ['single-region trail', 'cloudtrail', 'aws_cloudtrail.t', { resource: { aws_cloudtrail: { t: { is_multi_region_trail: false, enable_log_file_validation: true } } } }],
  ['trail without validation', 'cloudtrail', 'aws_cloudtrail.t', { resource: { aws_cloudtrail: { t: { is_multi_region_trail: true } } } }],
  ['cloudtrail asked for but missing', 'cloudtrail', 'aws_cloudtrail', { '//': { terrace: { tier: 'observability', provider: 'aws', cloudtrail: true } }, resource: {} }],
];

describe('guardrails', () => {
  it.each(BAD)('catch %s', (_name, rule, address, stack) => {
    const violations = checkGuardrails(stack);
    expect(violations).toContainEqual(expect.objectContaining({ rule, address }));
    expect(violations.every((v) => v.rule === rule)).toBe(true);
  });

  it('let the allowed exceptions through', () => {
    const ok = {
      resource: {
        aws_security_group: { alb: { tags: { 'terrace:purpose': 'public-alb' } } },
        aws_vpc_security_group_ingress_rule: {
          https: { security_group_id: '${aws_security_group.alb.id}', ip_protocol: 'tcp', from_port: 443, to_port: 443, cidr_ipv4: '0.0.0.0/0' },
          http: { security_group_id: '${aws_security_group.alb.id}', ip_protocol: 'tcp', from_port: 80, to_port: 80, cidr_ipv6: '::0/0' },
          private: { security_group_id: '${aws_security_group.alb.id}', ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr_ipv4: '10.0.0.0/8' },
          vpc: { security_group_id: '${aws_security_group.alb.id}', ip_protocol: '-1', cidr_ipv4: '${data.terraform_remote_state.network.outputs.vpcCidr}' },
        },
        aws_security_group_rule: { v6: { type: 'ingress', security_group_id: 'sg-1', protocol: 'tcp', from_port: 22, to_port: 22, ipv6_cidr_blocks: ['fd00::/8', '2001:db8::/32'] } },
        aws_iam_role_policy: {
          exec: { policy: policy({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'xray:PutTraceSegments', 'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:GetSamplingStatisticSummaries', 'cloudwatch:PutMetricData', 'ec2:DescribeInstances', 's3:List*'], Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*' }) },
          scoped: {
            policy: policy(
              { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: ['arn:aws:logs:eu-west-1:111111111111:log-group:name:*', '${aws_cloudwatch_log_group.x.arn}', '${aws_cloudwatch_log_group.x.arn}:*'] },
              { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ['arn:aws:secretsmanager:eu-west-1:111111111111:secret:name-??????', '${data.terraform_remote_state.data.outputs.postgresSecretArn}'] },
              { Effect: 'Allow', Action: 'rds-db:connect', Resource: 'arn:aws:rds-db:eu-west-1:111111111111:dbuser:cluster-id/*' },
              { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::site/*', '${format("arn:aws:s3:::%s/*", var.bucket)}'] },
            ),
          },
        },
        ...privateBucket('site'),
        aws_s3_bucket_policy: {
          site: { bucket: 'x', policy: policy({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'AWS:SourceArn': 'arn:cf' } } }, { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }) },
          cdn: { bucket: 'y', policy: policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::y/*', Condition: { ArnLike: { 'aws:SourceArn': ['arn:aws:cloudfront::111111111111:distribution/E1', '${aws_cloudfront_distribution.cdn.arn}'] } } }) },
        },
        aws_lb_listener: { http: { port: 80, protocol: 'HTTP', default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }] } },
      },
    };
    expect(checkGuardrails(ok)).toEqual([]);
  });

  it('pass the example stacks clean', () => {
    for (const name of ['chat-staging', 'chat-prod'] as const) {
      const { environment, target } = awsExample(name);
      for (const tier of synthesizeEnvironment(environment, target)) expect([tier.tier, tier.violations]).toEqual([tier.tier, []]);
    }
    for (const tier of synthesizeEnvironment(devEnvironment(), LOCAL_TARGET)) expect(tier.violations).toEqual([]);
  });
});
