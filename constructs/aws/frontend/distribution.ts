import { Construct } from 'constructs';
import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution/index.js';
import { CloudfrontOriginAccessControl } from '@cdktf/provider-aws/lib/cloudfront-origin-access-control/index.js';
import { CloudfrontResponseHeadersPolicy } from '@cdktf/provider-aws/lib/cloudfront-response-headers-policy/index.js';
import { CACHING_DISABLED_POLICY_ID, CACHING_OPTIMIZED_POLICY_ID, CLOUDFRONT_DEFAULT_CERT_TLS, CLOUDFRONT_TLS_MINIMUM, type FrontendModel } from '../../model/frontend.ts';
import { usEast1Of } from '../stack.ts';
import { WebAcl } from '../waf.ts';

export interface SiteDistributionProps {
  readonly model: FrontendModel;
  readonly bucketRegionalDomainName: string;
}

/**
 * CloudFront in front of the private bucket: it signs every origin request (OAC, sigv4), serves HTTPS only
 * with security headers (a Content-Security-Policy included) and the spec's custom headers, compresses, never
 * caches index.html, sends unknown paths to index.html for a single-page app, behind a global WAF web ACL.
 */
export class SiteDistribution extends Construct {
  readonly distribution: CloudfrontDistribution;

  constructor(scope: Construct, id: string, { model, bucketRegionalDomainName }: SiteDistributionProps) {
    super(scope, id);
    const oac = new CloudfrontOriginAccessControl(this, 'origin_access_control', {
      name: model.name,
      description: `${model.name}: CloudFront to its S3 origin`,
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
    const h = model.securityHeaders;
    const headers = new CloudfrontResponseHeadersPolicy(this, 'security_headers', {
      name: model.headersPolicyName,
      securityHeadersConfig: {
        strictTransportSecurity: { accessControlMaxAgeSec: h.hstsSeconds, includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: h.frameOptions, override: true },
        referrerPolicy: { referrerPolicy: h.referrerPolicy, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: model.contentSecurityPolicy, override: true },
      },
      customHeadersConfig: model.customHeaders.length > 0 ? { items: model.customHeaders.map(({ header, value }) => ({ header, value, override: true })) } : undefined,
    });
    const originId = 's3';
    const waf = model.waf ? new WebAcl(this, 'waf', { model: model.waf, provider: usEast1Of(this) }) : undefined;
    const behavior = (cachePolicyId: string) => ({
      targetOriginId: originId,
      viewerProtocolPolicy: 'redirect-to-https',
      allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
      cachedMethods: ['GET', 'HEAD'],
      compress: true,
      cachePolicyId,
      responseHeadersPolicyId: headers.id,
    });
    this.distribution = new CloudfrontDistribution(this, 'distribution', {
      enabled: true,
      comment: model.name,
      isIpv6Enabled: true,
      httpVersion: 'http2and3',
      priceClass: model.priceClass,
      defaultRootObject: 'index.html',
      aliases: model.domain ? [model.domain.name] : undefined,
      origin: [{ originId, domainName: bucketRegionalDomainName, originAccessControlId: oac.id }],
      defaultCacheBehavior: behavior(CACHING_OPTIMIZED_POLICY_ID),
      orderedCacheBehavior: model.noCachePaths.map((pathPattern) => ({ pathPattern, ...behavior(CACHING_DISABLED_POLICY_ID) })),
      // WAFv2 names its web ACL by ARN here.
      webAclId: waf?.acl.arn,
      customErrorResponse: model.spaErrorCodes.map((code) => ({ errorCode: code, responseCode: 200, responsePagePath: '/index.html', errorCachingMinTtl: 10 })),
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: model.domain
        ? { acmCertificateArn: model.domain.certificateArn, sslSupportMethod: 'sni-only', minimumProtocolVersion: CLOUDFRONT_TLS_MINIMUM }
        : { cloudfrontDefaultCertificate: true, minimumProtocolVersion: CLOUDFRONT_DEFAULT_CERT_TLS },
    });
  }
}
