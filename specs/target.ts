import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from './limits.ts';
import { API_VERSION, documentSchema, StringEnum } from './meta.ts';

/** How many previews a Target holds when its spec.previews does not say. */
export const DEFAULT_PREVIEW_MAX = 10;

export const TargetSpec = Type.Object(
  {
    provider: StringEnum(['aws', 'local'] as const, { description: 'aws: an AWS account and region; local: terraform_data stacks on this machine' }),
    accountId: Type.Optional(Type.String({ pattern: '^[0-9]{12}$', description: '12-digit AWS account id' })),
    region: Type.Optional(Type.String({ pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$', description: 'e.g. eu-west-1' })),
    roleArn: Type.Optional(Type.String({ pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$', description: 'role terrace assumes in the account' })),
    externalId: Type.Optional(Type.String({ minLength: 2, maxLength: 1224, pattern: '^[A-Za-z0-9+=,.@:/-]+$' })),
    stateBucket: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', description: 'S3 bucket for terraform state' })),
    tags: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9 _.:/=+@-]{1,128}$' }), Type.String({ maxLength: 256 }), { maxProperties: LIMITS.targetTags, additionalProperties: false })),
    previews: Type.Optional(
      Type.Object(
        {
          allowed: Type.Boolean({ default: true, description: 'false: no preview environments here (a production account)' }),
          max: Type.Integer({ default: DEFAULT_PREVIEW_MAX, minimum: 0, maximum: 500, description: 'preview environments this Target holds at once' }),
        },
        { additionalProperties: false, description: 'preview environments (terrace preview create); absent: allowed, at most ' + DEFAULT_PREVIEW_MAX },
      ),
    ),
  },
  { additionalProperties: false },
);
export type TargetSpec = Static<typeof TargetSpec>;

export const Target = documentSchema('Target', TargetSpec);
export type Target = Static<typeof Target>;

export const AWS_TARGET_FIELDS = ['accountId', 'region', 'roleArn', 'stateBucket'] as const;

/** The built-in Target every embedded store has: terraform_data stacks on this machine. Never changed. */
export function localTarget(): Target {
  return { apiVersion: API_VERSION, kind: 'Target', metadata: { name: 'local' }, spec: { provider: 'local' } };
}

/** What a Target allows of preview environments, its defaults filled in (a stored Target may predate the field). */
export function previewPolicy(target: Target): { allowed: boolean; max: number } {
  return { allowed: target.spec.previews?.allowed ?? true, max: target.spec.previews?.max ?? DEFAULT_PREVIEW_MAX };
}
