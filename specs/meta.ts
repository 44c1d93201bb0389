import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { LIMITS } from './limits.ts';

export const API_VERSION = 'terrace.dev/v1alpha1';
export const TEARDOWN_FINALIZER = 'terrace.dev/teardown';

/** Annotations the API sets and the controller reads (like Flux's reconcile.fluxcd.io/requestedAt). */
export const ANNOTATIONS = {
  /** Plan ids (comma-separated) whose apply an operator approved (spec.approval: manual). */
  approvePlan: 'terrace.dev/approve-plan',
  /** Any new value asks for a reconcile now, on whichever replica holds the lease. */
  requestedAt: 'terrace.dev/reconcile-requested-at',
  /** Any new value asks for a run of spec.verify now (POST .../verify). */
  verifyRequestedAt: 'terrace.dev/verify-requested-at',
} as const;

/** A DNS label, letter first: environment, target, service names all use it. */
export const NAME_PATTERN = '^[a-z][a-z0-9-]{1,38}[a-z0-9]$';
export const Name = Type.String({ pattern: NAME_PATTERN, description: 'DNS label: 3-40 chars of [a-z0-9-], letter first' });

const LabelMap = Type.Record(
  Type.String({ pattern: '^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$' }),
  Type.String({ pattern: '^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$' }),
  // A record's key pattern is enforced only when other keys are refused.
  { maxProperties: LIMITS.labels, additionalProperties: false },
);

export const Metadata = Type.Object(
  {
    name: Name,
    labels: Type.Optional(LabelMap),
    // Counted in validate.ts, where the server's own annotations are left out.
    annotations: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,252}$' }), Type.String({ maxLength: 4096 }), { additionalProperties: false })),
    // Server-set: accepted on input so a GET result can be PUT back, ignored by the store.
    uid: Type.Optional(Type.String()),
    generation: Type.Optional(Type.Integer()),
    resourceVersion: Type.Optional(Type.String()),
    creationTimestamp: Type.Optional(Type.String()),
    deletionTimestamp: Type.Optional(Type.String()),
    finalizers: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type Metadata = Static<typeof Metadata>;

/** The envelope every kind shares: apiVersion, kind, metadata, spec, and a server-owned status. */
export function documentSchema<K extends string, S extends TSchema>(kind: K, spec: S) {
  return Type.Object(
    {
      apiVersion: Type.Literal(API_VERSION),
      kind: Type.Literal(kind),
      metadata: Metadata,
      spec,
      status: Type.Optional(Type.Unknown({ description: 'server-owned; ignored on input' })),
    },
    { additionalProperties: false },
  );
}

/** A string that must be one of `values`; errors list the choices (see validate.ts). */
export function StringEnum<T extends string>(values: readonly T[], options: { default?: T; description?: string } = {}): TUnion<TLiteral<T>[]> {
  return Type.Union(values.map((v) => Type.Literal(v)), options);
}

/** The plan ids an operator approved, from the approve-plan annotation. */
export function approvedPlans(annotations: Record<string, string> | undefined): string[] {
  return (annotations?.[ANNOTATIONS.approvePlan] ?? '').split(',').filter(Boolean);
}
