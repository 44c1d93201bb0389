import { DEFAULT_CONTENT_SECURITY_POLICY } from '../../specs/environment.ts';
import type { ModelContext } from './context.ts';
import { fitName, resourceName } from './names.ts';
import type { WafModel } from './network.ts';

/** CloudFront's managed CachingOptimized policy (gzip + brotli, 1 day default TTL). */
export const CACHING_OPTIMIZED_POLICY_ID = '658327ea-f89d-4fab-a63d-7e88639e58f6';
/** CloudFront's managed CachingDisabled policy: what index.html gets, so a deploy shows at once. */
export const CACHING_DISABLED_POLICY_ID = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
/** With the domain's certificate: TLS 1.2+ with the 2025 ciphers (the provider passes the value through). */
export const CLOUDFRONT_TLS_MINIMUM = 'TLSv1.2_2025';
/** With the default *.cloudfront.net certificate CloudFront keeps TLSv1 whatever is asked (and plans would never settle). */
export const CLOUDFRONT_DEFAULT_CERT_TLS = 'TLSv1';

export interface FrontendModel {
  readonly name: string;
  /** Globally unique: the account id makes it so per environment. */
  readonly bucketName: string;
  readonly spa: boolean;
  readonly priceClass: string;
  readonly domain?: { readonly name: string; readonly certificateArn: string };
  readonly headersPolicyName: string;
  readonly securityHeaders: {
    readonly hstsSeconds: number;
    readonly frameOptions: 'DENY';
    readonly referrerPolicy: 'strict-origin-when-cross-origin';
  };
  /**
   * `spec.frontend.headers` in the spec's order: custom headers of the response headers policy. Plain attributes,
   * so cdktf escapes `${` and `%{` itself (a second escape here would double them).
   */
  readonly customHeaders: readonly { readonly header: string; readonly value: string }[];
  /** Status codes S3 answers for unknown keys, sent to index.html when spa. */
  readonly spaErrorCodes: readonly number[];
  readonly contentSecurityPolicy: string;
  /** Paths served uncached (ordered cache behaviors): the entry page names the hashed assets of the current build. */
  readonly noCachePaths: readonly string[];
  /** The global web ACL (us-east-1, CLOUDFRONT scope), unless spec.frontend.waf.enabled is false. */
  readonly waf?: WafModel;
}

export function frontendModel({ env, spec, target }: ModelContext): FrontendModel {
  const frontend = spec.frontend;
  if (!frontend) throw new Error(`${env} declares no frontend tier`);
  const name = resourceName(env, 'frontend');
  const account = target.spec.accountId;
  return {
    name,
    bucketName: fitName(account ? `${name}-${account}` : name, 63),
    spa: frontend.spa,
    priceClass: frontend.priceClass,
    domain: frontend.domain,
    headersPolicyName: `${name}-security-headers`,
    securityHeaders: { hstsSeconds: 63_072_000, frameOptions: 'DENY', referrerPolicy: 'strict-origin-when-cross-origin' },
    customHeaders: Object.entries(frontend.headers ?? {}).map(([header, value]) => ({ header, value })),
    spaErrorCodes: frontend.spa ? [403, 404] : [],
    contentSecurityPolicy: frontend.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY,
    noCachePaths: ['/index.html'],
    waf: (frontend.waf?.enabled ?? true) ? { name: fitName(`${name}-cdn`, 128), scope: 'CLOUDFRONT', rateLimit: frontend.waf?.rateLimit ?? 2000 } : undefined,
  };
}
