import type { EnvironmentSpec } from '../../specs/environment.ts';
import type { EnvironmentStatus } from '../../specs/status.ts';
import type { HttpCheckSpec, WebSocketCheckSpec } from '../../specs/verify.ts';

export type PlannedCheck =
  | { kind: 'http'; url: string; check: HttpCheckSpec }
  | { kind: 'websocket'; url: string; check: WebSocketCheckSpec }
  | { kind: 'frontend'; url: string };

/** What a run checks, or why it cannot run (no address to check): the Verified condition says which. */
export type VerifyPlan = { checks: PlannedCheck[]; notes: string[] } | { unavailable: string };

/**
 * The URLs of spec.verify's checks. The default baseUrl is the public endpoint compute serves on AWS
 * (https://<compute.domain.name>: the ALB serves HTTPS only). The local target deploys nothing reachable (its
 * outputs are made-up names), so there only an explicit baseUrl or frontendUrl is checked.
 */
export function verifyPlan(spec: EnvironmentSpec, provider: string, status: EnvironmentStatus): VerifyPlan {
  const verify = spec.verify!;
  const onAws = provider === 'aws';
  const checks: PlannedCheck[] = [];
  const notes: string[] = [];
  if (verify.http.length > 0 || verify.websocket.length > 0) {
    const base = verify.baseUrl ?? (onAws && spec.compute?.domain ? `https://${spec.compute.domain.name}` : undefined);
    if (!base) {
      return {
        unavailable: onAws
          ? 'no public endpoint to check: set spec.verify.baseUrl, or declare compute.domain with a public service'
          : `the ${provider} target deploys nothing reachable (its outputs are placeholders): set spec.verify.baseUrl to where the app runs`,
      };
    }
    const root = base.replace(/\/+$/, '');
    for (const check of verify.http) checks.push({ kind: 'http', url: root + check.path, check });
    for (const check of verify.websocket) checks.push({ kind: 'websocket', url: root.replace(/^http/, 'ws') + check.path, check });
  }
  if (spec.frontend?.spa) {
    const distribution = status.tiers.frontend?.outputs?.distributionDomainName;
    const frontend = verify.frontendUrl
      ?? (onAws ? (spec.frontend.domain ? `https://${spec.frontend.domain.name}` : typeof distribution === 'string' ? `https://${distribution}` : undefined) : undefined);
    if (frontend) checks.push({ kind: 'frontend', url: frontend.replace(/\/+$/, '') });
    else notes.push(`the SPA deep-link check did not run: the ${provider} target has no CloudFront distribution; set spec.verify.frontendUrl to check one`);
  }
  // Nothing to check proves nothing: say why rather than report Verified.
  return checks.length > 0 ? { checks, notes } : { unavailable: notes.join('; ') };
}
