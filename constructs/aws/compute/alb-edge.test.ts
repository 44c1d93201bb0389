import { describe, expect, it } from 'vitest';
import { awsExample, awsTier, resources, withSpec } from '../../testing/fixtures.ts';

describe('AWS ALB edge (spec.network)', () => {
  it('names the log bucket within 63 characters and the bootstrap grant\'s *-compute-alb-logs-* whatever the environment\'s length', async () => {
    const { synthesizeTier } = await import('../../index.ts');
    const { environment, target } = awsExample('chat-prod');
    for (const name of ['chat-prod', 'a'.repeat(33), 'payments-platform-customer-portal-prod12']) {
      const tf = JSON.parse(synthesizeTier({ environment: { ...environment, metadata: { ...environment.metadata, name } }, target, tier: 'compute' }).json);
      const bucket: string = resources(tf, 'aws_s3_bucket').compute_alb_access_logs_bucket_bucket.bucket;
      expect(bucket.length).toBeLessThanOrEqual(63);
      expect(bucket).toMatch(/^[a-z0-9-]+-compute-alb-logs-333333333333$/);
    }
  });

  it('is deletion protected and logs to its own private SSE-S3 bucket that only ELB writes, over TLS', async () => {
    const { tf, result } = await awsTier('chat-prod', 'compute');
    expect(result.violations).toEqual([]);
    const lb = resources(tf, 'aws_lb').compute_alb_lb;
    expect(lb).toMatchObject({
      enable_deletion_protection: true,
      access_logs: { bucket: '${aws_s3_bucket.compute_alb_access_logs_bucket_bucket.id}', enabled: true },
      depends_on: ['aws_s3_bucket_policy.compute_alb_access_logs_policy'],
    });
    const bucket = resources(tf, 'aws_s3_bucket').compute_alb_access_logs_bucket_bucket;
    expect(bucket).toMatchObject({ bucket: 'chat-prod-compute-alb-logs-333333333333', force_destroy: false });
    // ALB access logs cannot be written with SSE-KMS.
    expect(resources(tf, 'aws_s3_bucket_server_side_encryption_configuration').compute_alb_access_logs_bucket_encryption.rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'AES256' });
    expect(resources(tf, 'aws_s3_bucket_lifecycle_configuration').compute_alb_access_logs_bucket_lifecycle.rule[0].expiration).toEqual([{ days: 365 }]);
    const policy = JSON.parse(resources(tf, 'aws_s3_bucket_policy').compute_alb_access_logs_policy.policy);
    const objects = '${aws_s3_bucket.compute_alb_access_logs_bucket_bucket.arn}/AWSLogs/333333333333/*';
    expect(policy.Statement).toEqual([
      { Sid: 'ElbLogDeliveryWrites', Effect: 'Allow', Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, Action: 's3:PutObject', Resource: objects },
      { Sid: 'ElbAccountWrites', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::156460612806:root' }, Action: 's3:PutObject', Resource: objects },
      expect.objectContaining({ Sid: 'DenyInsecureTransport', Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });

  it('turns deletion protection off with network.albDeletionProtection, and then lets the log bucket go with the ALB', async () => {
    const { environment } = awsExample('chat-prod');
    const off = withSpec(environment, (s) => (s.network.albDeletionProtection = false));
    const { tf } = await awsTier('chat-prod', 'compute', undefined, off);
    expect(resources(tf, 'aws_lb').compute_alb_lb.enable_deletion_protection).toBe(false);
    expect(resources(tf, 'aws_s3_bucket').compute_alb_access_logs_bucket_bucket.force_destroy).toBe(true);
    expect(() => withSpec(environment, (s) => (s.network.albDeletionProtection = 'no'))).toThrow(/network\.albDeletionProtection/);
  });

  it('puts a regional WAF web ACL (common rule set, rate per address) on the ALB, switchable in network.waf', async () => {
    const { tf } = await awsTier('chat-prod', 'compute');
    const acl = resources(tf, 'aws_wafv2_web_acl').compute_alb_waf_acl;
    expect(acl).toMatchObject({ name: 'chat-prod-compute-alb', scope: 'REGIONAL', default_action: { allow: {} } });
    expect(acl.provider).toBeUndefined();
    expect(acl.rule.map((r: any) => [r.name, r.override_action ?? r.action, r.statement])).toEqual([
      ['aws-common', { none: {} }, { managed_rule_group_statement: { name: 'AWSManagedRulesCommonRuleSet', vendor_name: 'AWS' } }],
      ['rate-per-address', { block: {} }, { rate_based_statement: { limit: 2000, aggregate_key_type: 'IP' } }],
    ]);
    expect(resources(tf, 'aws_wafv2_web_acl_association').compute_alb_waf_association).toMatchObject({ resource_arn: '${aws_lb.compute_alb_lb.arn}', web_acl_arn: '${aws_wafv2_web_acl.compute_alb_waf_acl.arn}' });

    const { environment } = awsExample('chat-prod');
    const limited = (await awsTier('chat-prod', 'compute', undefined, withSpec(environment, (s) => (s.network.waf = { rateLimit: 300 })))).tf;
    expect(resources(limited, 'aws_wafv2_web_acl').compute_alb_waf_acl.rule[1].statement.rate_based_statement.limit).toBe(300);
    const off = (await awsTier('chat-prod', 'compute', undefined, withSpec(environment, (s) => (s.network.waf = { enabled: false })))).tf;
    expect([resources(off, 'aws_wafv2_web_acl'), resources(off, 'aws_wafv2_web_acl_association')]).toEqual([{}, {}]);
    expect(() => withSpec(environment, (s) => (s.network.waf = { enabled: true, rateLimit: 50 }))).toThrow(/network\.waf\.rateLimit/);
    expect(() => withSpec(environment, (s) => (s.network.waf = { enable: false }))).toThrow(/network\.waf/);
  });
});
