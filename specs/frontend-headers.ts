// `spec.frontend.headers`: custom response headers the frontend's CloudFront response headers policy adds.
// The names it refuses, and the security headers terrace sets itself, live here so that validation and the
// Render import agree.

/** CloudFront's quota: custom headers in one response headers policy. */
export const MAX_FRONTEND_HEADERS = 10;
/** CloudFront's quota: the combined length of a policy's custom header names and values. */
export const MAX_FRONTEND_HEADERS_LENGTH = 1783;

/** The security headers terrace's response headers policy sets on every response, as a browser receives them. */
export const TERRACE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains; preload',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'X-XSS-Protection': '1; mode=block',
};

/** Headers CloudFront keeps to its own settings (security headers, CORS), never custom headers. */
const POLICY_SETTINGS: Readonly<Record<string, string>> = {
  'content-security-policy': 'is a security header of the response headers policy (securityHeadersConfig.contentSecurityPolicy), which terrace does not expose yet',
  'server-timing': 'is a setting of the response headers policy (serverTimingHeadersConfig), not a custom header',
};

/** Hop-by-hop headers and the ones CloudFront reserves: a response headers policy cannot add them. */
const CLOUDFRONT_RESERVED = new Set([
  'connection', 'content-encoding', 'content-length', 'expect', 'host', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
  'proxy-connection', 'trailer', 'transfer-encoding', 'upgrade', 'via', 'warning', 'x-cache', 'x-forwarded-proto', 'x-real-ip',
]);
const CLOUDFRONT_RESERVED_PREFIXES = ['x-accel-', 'x-amz-', 'x-amzn-', 'x-edge-'];

/** Why `name` cannot be a custom header of the frontend's policy, or undefined when it can. */
export function refusedHeader(name: string): string | undefined {
  const lower = name.toLowerCase();
  const security = Object.keys(TERRACE_SECURITY_HEADERS).find((h) => h.toLowerCase() === lower);
  if (security) return `terrace's security headers already set ${security}: ${TERRACE_SECURITY_HEADERS[security]}`;
  if (POLICY_SETTINGS[lower]) return POLICY_SETTINGS[lower];
  if (lower.startsWith('access-control-')) return 'is a CORS header: CloudFront sets it from the policy\'s CORS settings only, which terrace does not expose yet';
  if (CLOUDFRONT_RESERVED.has(lower)) return 'is a hop-by-hop or CloudFront header: a response headers policy cannot add it';
  const prefix = CLOUDFRONT_RESERVED_PREFIXES.find((p) => lower.startsWith(p));
  if (prefix) return `is reserved by CloudFront (${name.slice(0, prefix.length - 1)}-*): a response headers policy cannot add it`;
  return undefined;
}

/** Whether two header values say the same (case and spaces around `;` and `,` aside). */
export function sameHeaderValue(a: string, b: string): boolean {
  const norm = (v: string) => v.trim().toLowerCase().replace(/\s*([;,])\s*/g, '$1 ').replace(/\s+/g, ' ');
  return norm(a) === norm(b);
}

/** Problems of `spec.frontend.headers` beyond its schema: refused names, duplicates by case, the total length. */
export function frontendHeaderProblems(headers: Readonly<Record<string, string>> | undefined): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (!headers) return problems;
  const seen = new Map<string, string>();
  let length = 0;
  for (const [name, value] of Object.entries(headers)) {
    const at = `frontend.headers.${name}`;
    const refused = refusedHeader(name);
    if (refused) problems.push({ path: at, message: refused });
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) problems.push({ path: at, message: `is the same header as ${earlier} (header names ignore case)` });
    else seen.set(name.toLowerCase(), name);
    length += name.length + (typeof value === 'string' ? value.length : 0);
  }
  if (length > MAX_FRONTEND_HEADERS_LENGTH) problems.push({ path: 'frontend.headers', message: `names and values add up to ${length} characters; CloudFront allows ${MAX_FRONTEND_HEADERS_LENGTH}` });
  return problems;
}
