import type { Environment, EnvironmentSpec } from './environment.ts';
import { applySetExpressions } from './set-path.ts';
import { ValidationError } from './validate.ts';
import { EXPIRES_AT_ANNOTATION, PREVIEW_OF_LABEL } from './preview-keys.ts';

// A preview is an Environment copied from a base one with cheap, throwaway settings (issue 17). It is marked by
// two keys: the label names its base (for lists and the Target's cap), the annotation its expiry, which only the
// preview routes write (api/admission.ts keeps it from request bodies) and the controller enforces.

export { EXPIRES_AT_ANNOTATION, PREVIEW_OF_LABEL };

export const DEFAULT_PREVIEW_TTL = '72h';
/** One --ttl at most: a preview meant to live longer is an environment of its own. */
export const MAX_PREVIEW_TTL_MS = 30 * 86_400_000;
const MIN_PREVIEW_TTL_MS = 60_000;
export const PREVIEW_LOG_RETENTION_DAYS = 3;

/** `72h`, `30m`, `7d` -> milliseconds; between a minute and 30 days. */
export function parseTtl(text: string): number {
  const m = /^([1-9][0-9]{0,5})(m|h|d)$/.exec(text);
  if (!m) throw new Error(`${JSON.stringify(text)} is not a duration such as 30m, 72h or 7d`);
  const ms = Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
  if (ms < MIN_PREVIEW_TTL_MS || ms > MAX_PREVIEW_TTL_MS) throw new Error(`${text} is outside 1m to 30d`);
  return ms;
}

/** RFC 3339 with its time and zone, as the routes write it: `new Date()` alone reads "1" as 2001-01-01, expired. */
const RFC_3339 = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/;

/** Whether `env` is a preview, and when it expires (undefined: not a preview, or an unreadable time: never expires). */
export function previewExpiry(env: { metadata: { annotations?: Record<string, string> } }): Date | undefined {
  const text = env.metadata.annotations?.[EXPIRES_AT_ANNOTATION];
  if (text === undefined || !RFC_3339.test(text)) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

export const isPreview = (env: { metadata: { annotations?: Record<string, string> } }) => env.metadata.annotations?.[EXPIRES_AT_ANNOTATION] !== undefined;

export interface PreviewOptions {
  name: string;
  expiresAt: Date;
  /** Another Target than the base's. */
  target?: string;
  /** `path=value` changes to the preview's spec, after the defaults (so a team can undo any of them). */
  set?: readonly string[];
}

/**
 * The preview of `base`: its spec with the preview defaults, then `set` applied. Not yet validated (the caller
 * parses it like any document, so a bad `--set` value is a 422 at its spec path). Throws ValidationError for a
 * `set` expression that is not a path=value, at `set[i]`.
 */
export function previewOf(base: Environment, options: PreviewOptions): Environment {
  const spec = previewDefaults(structuredClone(base.spec), options.name);
  if (options.target) spec.target = options.target;
  const { spec: changed, problems } = applySetExpressions(spec as unknown as Record<string, unknown>, options.set ?? []);
  if (problems.length > 0) throw new ValidationError(problems);
  const labels = { ...base.metadata.labels, [PREVIEW_OF_LABEL]: base.metadata.name };
  return {
    apiVersion: base.apiVersion,
    kind: 'Environment',
    metadata: { name: options.name, labels, annotations: { [EXPIRES_AT_ANNOTATION]: options.expiresAt.toISOString() } },
    spec: changed as unknown as EnvironmentSpec,
  };
}

/** The cheap settings: one of everything, nothing kept after deletion, nobody paged. */
function previewDefaults(spec: EnvironmentSpec, name: string): EnvironmentSpec {
  spec.suspend = false;
  spec.approval = 'auto';
  if (spec.network) {
    const network = spec.network;
    if (network.natGateways === 'perAz') network.natGateways = 1;
    // Through the NAT gateway instead of endpoints billed per AZ and hour; without one the endpoints are the way out.
    if (network.natGateways === 1) network.interfaceEndpoints = false;
    // A protected ALB would stop the teardown at expiry.
    network.albDeletionProtection = false;
    network.waf = { ...network.waf, enabled: false };
  }
  const pg = spec.data?.postgres;
  if (pg) {
    // 0.5 ACU runs on every engine version; 0 (auto-pause) needs a recent one: `--set data.postgres.minCapacity=0`.
    Object.assign(pg, { minCapacity: 0.5, maxCapacity: 1, readers: 0, deletionProtection: false, backupRetentionDays: 1 });
    delete pg.readerAutoscaling;
  }
  if (spec.data?.redis) spec.data.redis.replicas = 0;
  const baseDomains = [spec.compute?.domain?.name, spec.frontend?.domain?.name];
  if (spec.compute) {
    for (const service of spec.compute.services) {
      service.desiredCount = Math.min(service.desiredCount, 1);
      delete service.autoscaling;
    }
    if (spec.compute.domain) spec.compute.domain.name = `${name}.${spec.compute.domain.name}`;
  }
  if (spec.frontend) {
    spec.frontend.priceClass = 'PriceClass_100';
    spec.frontend.waf = { ...spec.frontend.waf, enabled: false };
    if (spec.frontend.domain) spec.frontend.domain.name = `${name}.${spec.frontend.domain.name}`;
  }
  if (spec.observability) {
    Object.assign(spec.observability, { logRetentionDays: PREVIEW_LOG_RETENTION_DAYS, cloudtrail: false, xray: false });
    delete spec.observability.alarmEmail;
  }
  if (spec.verify) retargetVerify(spec, baseDomains);
  return spec;
}

/** A verify URL on the base's own domain would check the base: it follows the preview's domain. */
function retargetVerify(spec: EnvironmentSpec, [computeDomain, frontendDomain]: (string | undefined)[]): void {
  const swap = (url: string | undefined, from: string | undefined, to: string | undefined) => {
    if (!url || !from || !to) return url;
    const parsed = new URL(url);
    if (parsed.hostname !== from) return url;
    parsed.hostname = to;
    return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  };
  const verify = spec.verify!;
  const baseUrl = swap(verify.baseUrl, computeDomain, spec.compute?.domain?.name);
  const frontendUrl = swap(verify.frontendUrl, frontendDomain, spec.frontend?.domain?.name);
  if (baseUrl) verify.baseUrl = baseUrl;
  if (frontendUrl) verify.frontendUrl = frontendUrl;
}
