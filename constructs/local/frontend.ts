import { Construct } from 'constructs';
import { Fn } from '../core/cdktf.ts';
import { CACHING_DISABLED_POLICY_ID, CACHING_OPTIMIZED_POLICY_ID, CLOUDFRONT_TLS_MINIMUM, type FrontendModel } from '../model/frontend.ts';
import { LOCAL_ACCOUNT, fakeId, record, recorded } from './record.ts';

export interface LocalFrontendProps {
  readonly model: FrontendModel;
}

/** The frontend tier as terraform_data: private bucket, origin access control, CloudFront, headers policy. */
export class LocalFrontend extends Construct {
  readonly outputs: Record<string, unknown>;

  constructor(scope: Construct, id: string, { model }: LocalFrontendProps) {
    super(scope, id);
    const bucket = record(this, 'bucket', {
      bucket: model.bucketName,
      versioning: true,
      server_side_encryption: 'AES256',
      object_ownership: 'BucketOwnerEnforced',
      public_access_block: { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
    });
    const bucketName = recorded(bucket, 'bucket');
    const oac = record(this, 'origin_access_control', { name: model.name, origin_type: 's3', signing_behavior: 'always', signing_protocol: 'sigv4' });
    const headers = record(this, 'response_headers_policy', {
      name: model.headersPolicyName,
      strict_transport_security: { max_age: model.securityHeaders.hstsSeconds, include_subdomains: true, preload: true },
      content_type_options: true,
      frame_options: model.securityHeaders.frameOptions,
      referrer_policy: model.securityHeaders.referrerPolicy,
      xss_protection: { protection: true, mode_block: true },
      content_security_policy: model.contentSecurityPolicy,
      // Only when set, so a frontend without headers records what it recorded before.
      ...(model.customHeaders.length > 0 ? { custom_headers: model.customHeaders.map(({ header, value }) => ({ header, value, override: true })) } : {}),
    });
    const distribution = record(this, 'distribution', {
      origin: { domain_name: `${bucketName}.s3.amazonaws.com`, origin_access_control_id: fakeId(oac, 'E', 13) },
      aliases: model.domain ? [model.domain.name] : [],
      viewer_certificate: model.domain
        ? { acm_certificate_arn: model.domain.certificateArn, ssl_support_method: 'sni-only', minimum_protocol_version: CLOUDFRONT_TLS_MINIMUM }
        : { cloudfront_default_certificate: true },
      viewer_protocol_policy: 'redirect-to-https',
      compress: true,
      cache_policy_id: CACHING_OPTIMIZED_POLICY_ID,
      ordered_cache_behaviors: model.noCachePaths.map((path_pattern) => ({ path_pattern, cache_policy_id: CACHING_DISABLED_POLICY_ID })),
      web_acl: model.waf ? { name: model.waf.name, scope: model.waf.scope, region: 'us-east-1', managed_rule_groups: ['AWSManagedRulesCommonRuleSet'], rate_limit: model.waf.rateLimit } : null,
      response_headers_policy_id: fakeId(headers, '', 32),
      default_root_object: 'index.html',
      custom_error_responses: model.spaErrorCodes.map((code) => ({ error_code: code, response_code: 200, response_page_path: '/index.html' })),
      price_class: model.priceClass,
    });
    const distributionId = `E${Fn.upper(fakeId(distribution, '', 13))}`;
    const distributionArn = `arn:aws:cloudfront::${LOCAL_ACCOUNT}:distribution/${distributionId}`;
    record(this, 'bucket_policy', { bucket: bucketName, allow: 'cloudfront.amazonaws.com', action: 's3:GetObject', source_arn: distributionArn });

    this.outputs = {
      bucketName,
      bucketArn: `arn:aws:s3:::${bucketName}`,
      distributionId,
      distributionArn,
      distributionDomainName: `d${fakeId(distribution, '', 13)}.cloudfront.net`,
    };
  }
}
