import { Type, type TSchema } from '@sinclair/typebox';
import { Condition } from '../specs/conditions.ts';
import { EnvironmentSpec } from '../specs/environment.ts';
import { API_VERSION, Metadata, Name, StringEnum } from '../specs/meta.ts';
import { EnvironmentStatus, TierStatus } from '../specs/status.ts';
import { TargetSpec } from '../specs/target.ts';
import { Verification } from '../specs/verify.ts';
import { PROBLEM_JSON } from './errors.ts';

// Request and response schemas of the REST API. Documents reuse the specs/ schemas.

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { description: 'RFC 9457 problem details' },
);

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (query, params or JSON)', 401: 'Missing or invalid bearer token', 403: 'The token lacks the scope',
  404: 'Not found', 409: 'Conflict', 412: 'If-Match does not match the resourceVersion', 413: 'Body over 1 MiB',
  415: 'Unsupported content type', 422: 'Invalid document', 429: 'Rate limit exceeded', 500: 'Internal error',
  501: 'Not available in this server', 503: 'Not ready',
};

/** Problem responses for the given status codes, as application/problem+json. */
export function problems(...codes: number[]) {
  return Object.fromEntries(
    codes.map((code) => [code, { description: PROBLEM_DESCRIPTIONS[code] ?? 'Error', content: { [PROBLEM_JSON]: { schema: ProblemSchema } } }]),
  );
}

/** The errors any authenticated route can answer with. */
export const V1_PROBLEMS = [400, 401, 403, 429, 500] as const;

export const EnvironmentResource = Type.Object(
  {
    apiVersion: Type.Literal(API_VERSION),
    kind: Type.Literal('Environment'),
    metadata: Metadata,
    spec: EnvironmentSpec,
    status: EnvironmentStatus,
  },
  { description: 'An Environment with its status' },
);

export const TargetResource = Type.Object({
  apiVersion: Type.Literal(API_VERSION),
  kind: Type.Literal('Target'),
  metadata: Metadata,
  spec: TargetSpec,
});

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    continue: Type.Optional(Type.String({ description: 'pass as ?continue= for the next page' })),
  });

export const NameParams = Type.Object({ name: Name }, { additionalProperties: false });

const FRESH = 'read from the store, not the read cache (whose answers carry X-Terrace-Cache-Age, how old they may be in ms)';

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'page size' })),
    continue: Type.Optional(Type.String({ maxLength: 2048, description: 'token from the previous page' })),
    labelSelector: Type.Optional(Type.String({ maxLength: 1024, description: 'e.g. app=chat,stage=prod' })),
    fresh: Type.Optional(Type.Boolean({ description: FRESH })),
  },
  { additionalProperties: false },
);

/** `?fresh=true` on a read: answered from the store itself, not from the read cache. */
export const FreshQuery = Type.Object({ fresh: Type.Optional(Type.Boolean({ description: FRESH })) }, { additionalProperties: false });

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    continue: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);

export const DryRunQuery = Type.Object(
  { dryRun: Type.Optional(Type.Boolean({ description: 'validate and run the guardrails; store nothing' })) },
  { additionalProperties: false },
);

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'resourceVersion, bare or as a quoted ETag' })),
});

export const StatusView = Type.Object({
  observedGeneration: Type.Optional(Type.Integer()),
  generation: Type.Integer(),
  conditions: Type.Array(Condition),
  tiers: Type.Record(Type.String(), TierStatus),
  verification: Type.Optional(Verification),
});

export const EventSchema = Type.Object({
  id: Type.Optional(Type.String()),
  time: Type.String(),
  tier: Type.Optional(Type.String()),
  action: Type.String(),
  outcome: StringEnum(['Succeeded', 'Failed', 'Skipped', 'Info'] as const),
  message: Type.Optional(Type.String()),
  durationMs: Type.Optional(Type.Number()),
  changes: Type.Optional(Type.Object({ add: Type.Integer(), change: Type.Integer(), destroy: Type.Integer() })),
});

export const DryRunResult = Type.Object({
  tiers: Type.Array(
    Type.Object({
      tier: Type.String(),
      resources: Type.Integer(),
      outputs: Type.Array(Type.String()),
      violations: Type.Array(Type.Object({ rule: Type.String(), address: Type.String(), message: Type.String() })),
    }),
  ),
  allowed: Type.Boolean({ description: 'false when any tier has a guardrail violation' }),
});

export const SCOPES = ['read', 'write', 'operate', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const TokenInfo = Type.Object({
  id: Type.String({ description: 'first 12 hex digits of the sha256 of the token' }),
  name: Type.String(),
  scopes: Type.Array(StringEnum(SCOPES)),
  createdAt: Type.String(),
});

export const CreatedToken = Type.Composite([TokenInfo, Type.Object({ token: Type.String({ description: 'shown once; store it now' }) })]);
