import { describe, expect, it } from 'vitest';
import { awsExample, devEnvironment, withSpec } from '../constructs/testing/fixtures.ts';
import { EXPIRES_AT_ANNOTATION, parseTtl, PREVIEW_OF_LABEL, previewExpiry, previewOf } from './preview.ts';
import { applySetExpressions, parseSetExpression } from './set-path.ts';
import { parseEnvironment, ValidationError } from './validate.ts';

const EXPIRES = new Date('2026-03-04T12:00:00.000Z');

/** The prod example: every costly setting a preview turns down (per-AZ NAT, readers, autoscaling, alarms). */
function costlyBase() {
  return withSpec(awsExample('chat-prod').environment, (s) => {
    s.approval = 'manual';
    s.suspend = true;
    s.network.natGateways = 'perAz';
    s.network.interfaceEndpoints = true;
    s.network.albDeletionProtection = true;
    s.data.postgres = { ...s.data.postgres, minCapacity: 2, maxCapacity: 16, readers: 2, deletionProtection: true, backupRetentionDays: 30 };
    s.data.redis = { ...(s.data.redis ?? { nodeType: 'cache.t4g.small' }), replicas: 2 };
    s.compute.services[0].desiredCount = 4;
    s.compute.services[0].autoscaling = { min: 2, max: 10, cpuTarget: 60 };
    s.observability = { ...s.observability, logRetentionDays: 365, cloudtrail: true, xray: true, alarmEmail: 'oncall@example.com' };
    s.verify = { baseUrl: `https://${s.compute.domain.name}/api`, http: [{ path: '/healthz' }] };
  });
}

describe('previewOf: the base spec with the preview defaults', () => {
  it('turns every costly setting down, keeps the rest, and marks the copy', () => {
    const base = costlyBase();
    const preview = parseEnvironment(previewOf(base, { name: 'pr-12', expiresAt: EXPIRES }));
    const s = preview.spec;
    expect(s).toMatchObject({ approval: 'auto', suspend: false, target: base.spec.target });
    expect(s.network).toMatchObject({ natGateways: 1, interfaceEndpoints: false, albDeletionProtection: false, waf: { enabled: false } });
    expect(base.spec.network!.waf.enabled).toBe(true);
    expect(s.data!.postgres).toMatchObject({ minCapacity: 0.5, maxCapacity: 1, readers: 0, deletionProtection: false, backupRetentionDays: 1 });
    expect(s.data!.redis!.replicas).toBe(0);
    for (const service of s.compute!.services) {
      expect(service.desiredCount).toBeLessThanOrEqual(1);
      expect(service.autoscaling).toBeUndefined();
    }
    expect(s.compute!.domain!.name).toBe(`pr-12.${base.spec.compute!.domain!.name}`);
    expect(s.compute!.domain!.certificateArn).toBe(base.spec.compute!.domain!.certificateArn);
    expect(s.verify!.baseUrl).toBe(`https://pr-12.${base.spec.compute!.domain!.name}/api`);
    expect(s.observability).toMatchObject({ logRetentionDays: 3, cloudtrail: false, xray: false });
    expect(s.observability!.alarmEmail).toBeUndefined();
    // Kept: what the app needs to run as it does in the base.
    expect(s.compute!.services.map((x) => [x.name, x.image, x.env])).toEqual(base.spec.compute!.services.map((x) => [x.name, x.image, x.env]));
    expect(preview.metadata.labels).toEqual({ ...base.metadata.labels, [PREVIEW_OF_LABEL]: 'chat-prod' });
    expect(preview.metadata.annotations).toEqual({ [EXPIRES_AT_ANNOTATION]: EXPIRES.toISOString() });
    expect(previewExpiry(preview)).toEqual(EXPIRES);
    // The base is not touched.
    expect(base.spec.network!.natGateways).toBe('perAz');
  });

  it('keeps no NAT gateway where the base has none, and leaves a frontend without a domain without one', () => {
    const base = devEnvironment('chat-dev', (s) => { s.network.natGateways = 0; delete s.compute; delete s.data.postgres; delete s.observability; });
    const preview = parseEnvironment(previewOf(base, { name: 'pr-1', expiresAt: EXPIRES }));
    expect(preview.spec.network!.natGateways).toBe(0);
    expect(preview.spec.frontend!.domain).toBeUndefined();
    expect(preview.spec.frontend!.waf.enabled).toBe(false);
  });

  it('applies --set after the defaults, so a team can undo one, and moves to another target', () => {
    const preview = parseEnvironment(previewOf(costlyBase(), {
      name: 'pr-12', expiresAt: EXPIRES, target: 'preview-account',
      set: ['compute.services[0].image=ghcr.io/acme/chat:pr-12', 'spec.data.postgres.readers=1', 'compute.services[0].env.FEATURE="on"'],
    }));
    expect(preview.spec.target).toBe('preview-account');
    expect(preview.spec.compute!.services[0].image).toBe('ghcr.io/acme/chat:pr-12');
    expect(preview.spec.data!.postgres!.readers).toBe(1);
    expect(preview.spec.compute!.services[0].env.FEATURE).toBe('on');
  });

  it('reports a malformed --set at its index, and a wrong value at its spec path once validated', () => {
    const base = costlyBase();
    const bad = (set: string[]) => {
      try {
        parseEnvironment(previewOf(base, { name: 'pr-12', expiresAt: EXPIRES, set }));
      } catch (err) {
        return (err as ValidationError).problems;
      }
      throw new Error('accepted');
    };
    expect(bad(['no-equals-sign'])).toEqual([{ path: 'set[0]', message: expect.stringContaining('not path=value') }]);
    expect(bad(['compute.services[0].image=x', 'compute.services[9].image=x'])).toEqual([{ path: 'set[1]', message: expect.stringContaining('no item [9]') }]);
    expect(bad(['__proto__.polluted=1'])).toEqual([{ path: 'set[0]', message: expect.stringContaining('not a dotted path') }]);
    expect(bad(['compute.services[0].desiredCount="two"'])).toEqual([expect.objectContaining({ path: 'spec.compute.services[0].desiredCount' })]);
    expect(bad(['compute.services=3'])).toEqual([expect.objectContaining({ path: 'spec.compute.services' })]);
  });
});

describe('--set expressions and ttl', () => {
  it('reads JSON values as JSON and anything else as text', () => {
    expect(parseSetExpression('a.b[2].c=2')).toEqual({ path: 'a.b[2].c', keys: ['a', 'b', 2, 'c'], value: 2 });
    expect(parseSetExpression('x=ghcr.io/a/b:1.2').value).toBe('ghcr.io/a/b:1.2');
    expect(parseSetExpression('x=true').value).toBe(true);
    expect(parseSetExpression('x=a=b').value).toBe('a=b');
  });

  it('changes nothing when any expression fails', () => {
    const spec = { a: { b: 1 } };
    const { spec: out, problems } = applySetExpressions(spec, ['a.b=2', 'a.b[0]=3']);
    expect(problems).toHaveLength(1);
    expect(out).toEqual({ a: { b: 1 } });
  });

  it('reads an expiry only as RFC 3339 with time and zone: a hand-written "1" or "2026" is no expiry, not 2001 or 2026-01-01', () => {
    const expiry = (text: string) => previewExpiry({ metadata: { annotations: { [EXPIRES_AT_ANNOTATION]: text } } })?.toISOString();
    for (const bad of ['1', '0', '2026', 'Mar 1 2020', '2020-01-01', ' 2020-01-01T00:00:00Z', '2020-13-40T00:00:00Z', 'never', '']) expect(expiry(bad), bad).toBeUndefined();
    expect(expiry('2026-03-04T12:00:00.000Z')).toBe('2026-03-04T12:00:00.000Z');
    expect(expiry('2026-03-04T14:00:00+02:00')).toBe('2026-03-04T12:00:00.000Z');
  });

  it('takes 1m to 30d', () => {
    expect(parseTtl('72h')).toBe(72 * 3_600_000);
    expect(parseTtl('30d')).toBe(30 * 86_400_000);
    for (const bad of ['31d', '0m', '72', '1.5h', '-1h', '']) expect(() => parseTtl(bad), bad).toThrow();
  });
});
