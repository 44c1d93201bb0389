import { describe, expect, it } from 'vitest';
import { awsExample, awsTier, resources, withSpec } from '../../testing/fixtures.ts';

describe('AWS frontend tier', () => {
  it('keeps the bucket private, versioned and encrypted', async () => {
    const { tf } = await awsTier('chat-prod', 'frontend');
    expect(resources(tf, 'aws_s3_bucket').frontend_site_bucket.bucket).toBe('chat-prod-frontend-333333333333');
    expect(resources(tf, 'aws_s3_bucket_public_access_block').frontend_site_public_access_block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(resources(tf, 'aws_s3_bucket_ownership_controls').frontend_site_ownership.rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
    expect(resources(tf, 'aws_s3_bucket_versioning').frontend_site_versioning.versioning_configuration).toEqual({ status: 'Enabled' });
    expect(resources(tf, 'aws_s3_bucket_server_side_encryption_configuration').frontend_site_encryption.rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'AES256' });
  });

  it('empties the site bucket (every version) on destroy, so an expired preview or a removed tier can go', async () => {
    const { tf } = await awsTier('chat-prod', 'frontend');
    expect(resources(tf, 'aws_s3_bucket').frontend_site_bucket.force_destroy).toBe(true);
  });

  it('lets only its own distribution read, through OAC', async () => {
    const { tf } = await awsTier('chat-prod', 'frontend');
    expect(resources(tf, 'aws_cloudfront_origin_access_control').frontend_cdn_origin_access_control).toMatchObject({ signing_behavior: 'always', signing_protocol: 'sigv4', origin_access_control_origin_type: 's3' });
    const policy = JSON.parse(resources(tf, 'aws_s3_bucket_policy').frontend_policy.policy);
    expect(policy.Statement[0]).toEqual({
      Sid: 'CloudFrontReadsThroughOac',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: '${aws_s3_bucket.frontend_site_bucket.arn}/*',
      Condition: { StringEquals: { 'AWS:SourceArn': '${aws_cloudfront_distribution.frontend_cdn_distribution.arn}' } },
    });
  });

  it('serves HTTPS with the domain certificate, security headers and the SPA fallback', async () => {
    const { tf } = await awsTier('chat-prod', 'frontend');
    const d = resources(tf, 'aws_cloudfront_distribution').frontend_cdn_distribution;
    expect(d).toMatchObject({
      aliases: ['app.example.com'],
      price_class: 'PriceClass_All',
      default_cache_behavior: { viewer_protocol_policy: 'redirect-to-https', compress: true, response_headers_policy_id: '${aws_cloudfront_response_headers_policy.frontend_cdn_security_headers.id}' },
      viewer_certificate: { acm_certificate_arn: 'arn:aws:acm:us-east-1:333333333333:certificate/ffffffff-0000-1111-2222-333333333333', ssl_support_method: 'sni-only', minimum_protocol_version: 'TLSv1.2_2025' },
    });
    expect(d.custom_error_response.map((e: { error_code: number; response_code: number; response_page_path: string }) => [e.error_code, e.response_code, e.response_page_path])).toEqual([[403, 200, '/index.html'], [404, 200, '/index.html']]);
    const headers = resources(tf, 'aws_cloudfront_response_headers_policy').frontend_cdn_security_headers.security_headers_config;
    expect(Object.keys(headers).sort()).toEqual(['content_security_policy', 'content_type_options', 'frame_options', 'referrer_policy', 'strict_transport_security', 'xss_protection']);
    expect(headers.strict_transport_security).toMatchObject({ access_control_max_age_sec: 63072000, include_subdomains: true });
  });

  it('adds spec.frontend.headers to the response headers policy as custom headers, escaped for terraform', async () => {
    const policy = resources((await awsTier('chat-prod', 'frontend')).tf, 'aws_cloudfront_response_headers_policy').frontend_cdn_security_headers;
    expect(policy.custom_headers_config).toEqual({ items: [{ header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()', override: true }] });
    const { environment } = awsExample('chat-prod');
    const templated = withSpec(environment, (s) => (s.frontend.headers = { 'X-Robots-Tag': 'noindex', 'X-Build': '${git_sha}' }));
    const items = resources((await awsTier('chat-prod', 'frontend', undefined, templated)).tf, 'aws_cloudfront_response_headers_policy').frontend_cdn_security_headers.custom_headers_config.items;
    expect(items).toEqual([{ header: 'X-Robots-Tag', value: 'noindex', override: true }, { header: 'X-Build', value: '$${git_sha}', override: true }]);
    const bare = withSpec(environment, (s) => delete s.frontend.headers);
    expect(resources((await awsTier('chat-prod', 'frontend', undefined, bare)).tf, 'aws_cloudfront_response_headers_policy').frontend_cdn_security_headers.custom_headers_config).toBeUndefined();
  });

  it('uses the default certificate without a domain, and no fallback without spa', async () => {
    const { environment } = awsExample('chat-prod');
    const env = withSpec(environment, (s) => { delete s.frontend.domain; s.frontend.spa = false; });
    const d = resources((await awsTier('chat-prod', 'frontend', undefined, env)).tf, 'aws_cloudfront_distribution').frontend_cdn_distribution;
    // CloudFront keeps TLSv1 with its own certificate whatever is asked: anything else would never stop planning.
    expect(d.viewer_certificate).toEqual({ cloudfront_default_certificate: true, minimum_protocol_version: 'TLSv1' });
    expect(d.aliases).toBeUndefined();
    expect(d.custom_error_response ?? []).toEqual([]);
  });

  it('sends a Content-Security-Policy, the spec\'s or a same-origin default', async () => {
    const csp = (tf: any) => resources(tf, 'aws_cloudfront_response_headers_policy').frontend_cdn_security_headers.security_headers_config.content_security_policy;
    const byDefault = csp((await awsTier('chat-prod', 'frontend')).tf);
    expect(byDefault).toMatchObject({ override: true });
    expect(byDefault.content_security_policy).toContain("default-src 'self'");
    expect(byDefault.content_security_policy).toContain("frame-ancestors 'none'");
    const { environment } = awsExample('chat-prod');
    const own = withSpec(environment, (s) => (s.frontend.contentSecurityPolicy = "default-src 'self' https://cdn.example.com"));
    expect(csp((await awsTier('chat-prod', 'frontend', undefined, own)).tf)).toEqual({ content_security_policy: "default-src 'self' https://cdn.example.com", override: true });
    expect(() => withSpec(environment, (s) => (s.frontend.contentSecurityPolicy = "default-src 'self'\r\nX-Evil: 1"))).toThrow(/frontend\.contentSecurityPolicy/);
    expect(() => withSpec(environment, (s) => (s.frontend.contentSecurityPolicy = 'x'.repeat(1784)))).toThrow(/frontend\.contentSecurityPolicy/);
  });

  it('never caches index.html: an ordered behavior with the CachingDisabled policy, HTTPS only, same headers', async () => {
    const d = resources((await awsTier('chat-prod', 'frontend')).tf, 'aws_cloudfront_distribution').frontend_cdn_distribution;
    expect(d.ordered_cache_behavior).toEqual([expect.objectContaining({
      path_pattern: '/index.html',
      cache_policy_id: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      viewer_protocol_policy: 'redirect-to-https',
      response_headers_policy_id: '${aws_cloudfront_response_headers_policy.frontend_cdn_security_headers.id}',
    })]);
    expect(d.default_cache_behavior.cache_policy_id).toBe('658327ea-f89d-4fab-a63d-7e88639e58f6');
  });

  it('puts a global WAF web ACL (us-east-1, CLOUDFRONT scope) in front of the distribution, unless turned off', async () => {
    const { tf } = await awsTier('chat-prod', 'frontend');
    const acl = resources(tf, 'aws_wafv2_web_acl').frontend_cdn_waf_acl;
    expect(acl).toMatchObject({ scope: 'CLOUDFRONT', provider: 'aws.us_east_1', default_action: { allow: {} } });
    expect(acl.rule.map((r: any) => [r.name, r.statement])).toEqual([
      ['aws-common', { managed_rule_group_statement: { name: 'AWSManagedRulesCommonRuleSet', vendor_name: 'AWS' } }],
      ['rate-per-address', { rate_based_statement: { limit: 2000, aggregate_key_type: 'IP' } }],
    ]);
    expect(resources(tf, 'aws_cloudfront_distribution').frontend_cdn_distribution.web_acl_id).toBe('${aws_wafv2_web_acl.frontend_cdn_waf_acl.arn}');
    expect(tf.provider!.aws.find((p: any) => p.alias === 'us_east_1')).toMatchObject({ region: 'us-east-1', assume_role: tf.provider!.aws[0].assume_role });
    const { environment } = awsExample('chat-prod');
    const limited = withSpec(environment, (s) => (s.frontend.waf = { rateLimit: 500 }));
    expect(resources((await awsTier('chat-prod', 'frontend', undefined, limited)).tf, 'aws_wafv2_web_acl').frontend_cdn_waf_acl.rule[1].statement.rate_based_statement.limit).toBe(500);
    const off = withSpec(environment, (s) => (s.frontend.waf = { enabled: false }));
    const offTf = (await awsTier('chat-prod', 'frontend', undefined, off)).tf;
    expect(resources(offTf, 'aws_wafv2_web_acl')).toEqual({});
    expect(resources(offTf, 'aws_cloudfront_distribution').frontend_cdn_distribution.web_acl_id).toBeUndefined();
    expect(() => withSpec(environment, (s) => (s.frontend.waf = { rateLimit: 10 }))).toThrow(/frontend\.waf\.rateLimit/);
  });
});
