import { blocks, resourcesOf, violation, type GuardrailViolation, type TfStack } from './stack.ts';

const RULE = 'https-only';

/** ALB listeners serve HTTPS; a plain HTTP listener may only redirect to HTTPS. CloudFront never allows HTTP. */
export function plainHttp(stack: TfStack): GuardrailViolation[] {
  const out: GuardrailViolation[] = [];
  for (const [address, l] of resourcesOf(stack, 'aws_lb_listener', 'aws_alb_listener')) {
    const protocol = String(l.protocol ?? (Number(l.port) === 443 ? 'HTTPS' : 'HTTP')).toUpperCase();
    if (protocol === 'HTTPS' || protocol === 'TLS') continue;
    const actions = blocks(l.default_action);
    const redirects = actions.length > 0 && actions.every((a) => a.type === 'redirect' && blocks(a.redirect).every((r) => String(r.protocol).toUpperCase() === 'HTTPS'));
    if (!redirects) out.push(violation(RULE, address, `${protocol} listener on port ${l.port} does not only redirect to HTTPS`));
  }
  for (const [address, d] of resourcesOf(stack, 'aws_cloudfront_distribution')) {
    const behaviors = [...blocks(d.default_cache_behavior), ...blocks(d.ordered_cache_behavior)];
    if (behaviors.some((b) => b.viewer_protocol_policy === 'allow-all')) out.push(violation(RULE, address, 'a cache behavior allows plain HTTP (viewer_protocol_policy allow-all)'));
  }
  return out;
}
