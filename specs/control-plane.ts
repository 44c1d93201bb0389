import { Type, type Static } from '@sinclair/typebox';
import { formatIpv4, parseCidr } from './cidr.ts';
import { documentSchema } from './meta.ts';

const AccountId = Type.String({ pattern: '^[0-9]{12}$', description: '12-digit AWS account id' });

/** Where terrace itself runs (a management account) and which workload accounts it may deploy into. */
export const ControlPlaneSpec = Type.Object(
  {
    accountId: AccountId,
    region: Type.String({ pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$', description: 'e.g. eu-west-1' }),
    image: Type.String({ pattern: '^[a-z0-9][a-z0-9._/:@-]{0,254}$', description: 'container image of terrace, e.g. <account>.dkr.ecr.<region>.amazonaws.com/terrace:1.2.0' }),
    targetAccounts: Type.Array(AccountId, { minItems: 1, maxItems: 100, uniqueItems: true, description: 'workload accounts bootstrapped with `terrace bootstrap target`' }),
    // Required: the ALB serves HTTPS only, so it needs a certificate, and a certificate needs a name.
    domain: Type.Object(
      {
        name: Type.String({ pattern: '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$', description: 'host name of the API' }),
        certificateArn: Type.String({ pattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$', description: 'ACM certificate in spec.region' }),
      },
      { additionalProperties: false },
    ),
    public: Type.Boolean({ default: false, description: 'an internet-facing ALB; by default it is internal (reached over VPN or peering)' }),
    waf: Type.Optional(Type.Boolean({ description: 'a WAF on the ALB (AWS managed common rules, a per-address rate limit); on by default when public' })),
    cidr: Type.String({ default: '10.90.0.0/20', description: 'the control plane VPC' }),
    allowedCidrs: Type.Optional(Type.Array(Type.String(), {
      minItems: 1, maxItems: 20, uniqueItems: true,
      description: 'IPv4 ranges the ALB takes HTTPS from (VPN, peered networks); by default the VPC (spec.cidr), or anywhere when public',
    })),
    desiredCount: Type.Integer({ minimum: 2, maximum: 10, default: 2, description: 'tasks, spread across AZs' }),
  },
  { additionalProperties: false },
);
export type ControlPlaneSpec = Static<typeof ControlPlaneSpec>;

export const ControlPlane = documentSchema('ControlPlane', ControlPlaneSpec);
export type ControlPlane = Static<typeof ControlPlane>;

/** Cross-field rules; the CIDR's own form is checked with the Environment's rule in validate.ts. */
export function controlPlaneRules(spec: ControlPlaneSpec): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const certRegion = spec.domain?.certificateArn.split(':')[3];
  // An ALB reads certificates only from its own region.
  if (certRegion && certRegion !== spec.region) problems.push({ path: 'spec.domain.certificateArn', message: `is in ${certRegion}, not spec.region ${spec.region}` });
  (spec.allowedCidrs ?? []).forEach((text, i) => {
    const message = ingressCidrProblem(text, spec.public);
    if (message) problems.push({ path: `spec.allowedCidrs[${i}]`, message });
  });
  return problems;
}

/** The ranges the ALB takes HTTPS from: spec.allowedCidrs, by default the VPC, or anywhere when public. */
export function allowedCidrs(spec: Pick<ControlPlaneSpec, 'allowedCidrs' | 'cidr' | 'public'>): string[] {
  return spec.allowedCidrs ?? [spec.public ? '0.0.0.0/0' : spec.cidr];
}

function ingressCidrProblem(text: string, isPublic: boolean): string | undefined {
  const cidr = parseCidr(text);
  if (cidr?.version !== 4) return `${text} is not an IPv4 CIDR`;
  const canonical = `${formatIpv4(cidr.address)}/${cidr.prefix}`;
  if (canonical !== text) return `${text} must be written ${canonical}`;
  if (cidr.address % 2n ** BigInt(32 - cidr.prefix) !== 0n) return `${text} has host bits set`;
  if (cidr.prefix === 0 && !isPublic) return `${text} is the whole internet: set spec.public for an internet-facing ALB`;
  return undefined;
}
