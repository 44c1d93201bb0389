import { Type, type Static } from '@sinclair/typebox';

// spec.verify: checks the controller runs against the deployed app (issue 11). The field names are a contract.

export const VERIFY_LIMITS = { connections: 200, holdSeconds: 600, checks: 20 } as const;

const Path = Type.String({ pattern: '^/[^\\s]*$', maxLength: 2048, description: 'absolute path, starting with /' });
const HttpBase = Type.String({ pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', maxLength: 2048, description: 'an http:// or https:// URL' });

const HttpCheck = Type.Object(
  {
    path: Path,
    expectStatus: Type.Integer({ default: 200, minimum: 100, maximum: 599 }),
    timeoutSeconds: Type.Integer({ default: 5, minimum: 1, maximum: 60 }),
  },
  { additionalProperties: false },
);

const WebSocketCheck = Type.Object(
  {
    path: Path,
    send: Type.Optional(Type.String({ maxLength: 4096, description: 'message sent on each connection' })),
    expect: Type.Optional(Type.String({ maxLength: 4096, description: 'substring expected back' })),
    connections: Type.Integer({ default: 1, minimum: 1, maximum: VERIFY_LIMITS.connections, description: 'opened at once' }),
    holdSeconds: Type.Integer({ default: 5, minimum: 0, maximum: VERIFY_LIMITS.holdSeconds, description: 'each must stay open this long' }),
  },
  { additionalProperties: false },
);

export const Verify = Type.Object(
  {
    baseUrl: Type.Optional({ ...HttpBase, description: "an http:// or https:// URL; default: the public endpoint, https://<compute.domain.name>" }),
    frontendUrl: Type.Optional({ ...HttpBase, description: 'an http:// or https:// URL where the SPA deep-link check runs; default on AWS: https://<frontend.domain.name> or the distribution' }),
    http: Type.Array(HttpCheck, { default: [], maxItems: VERIFY_LIMITS.checks }),
    websocket: Type.Array(WebSocketCheck, { default: [], maxItems: VERIFY_LIMITS.checks }),
  },
  { additionalProperties: false },
);
export type VerifySpec = Static<typeof Verify>;
export type HttpCheckSpec = Static<typeof HttpCheck>;
export type WebSocketCheckSpec = Static<typeof WebSocketCheck>;

/** Cross-field rules: at least one check, and an `expect` needs a message to answer. */
export function verifyRules(spec: { verify?: VerifySpec; frontend?: { spa: boolean } }): { path: string; message: string }[] {
  const { verify } = spec;
  if (!verify) return [];
  const problems: { path: string; message: string }[] = [];
  const spaCheck = spec.frontend?.spa === true;
  if (verify.http.length === 0 && verify.websocket.length === 0 && !spaCheck) problems.push({ path: 'spec.verify', message: 'declares no check: add http or websocket checks' });
  for (const key of ['baseUrl', 'frontendUrl'] as const) {
    // Never echo the value: it would put the password into the response, the conditions, events and logs.
    if (hasCredentials(verify[key])) problems.push({ path: `spec.verify.${key}`, message: 'must not carry credentials (user:password@host): the checks cannot send them, and they would be shown in conditions, events and logs' });
  }
  verify.websocket.forEach((w, i) => {
    if (w.expect !== undefined && w.send === undefined) problems.push({ path: `spec.verify.websocket[${i}].expect`, message: 'needs send: the reply is expected to a message' });
  });
  return problems;
}

/** `user@` or `user:password@` before the host. */
function hasCredentials(url: string | undefined): boolean {
  if (url === undefined) return false;
  const authority = url.replace(/^[a-z]+:\/\//i, '').split(/[/?#]/)[0];
  return authority.includes('@');
}

const Millis = Type.Object({ p50: Type.Number(), p99: Type.Number() }, { description: 'milliseconds' });

/** One check as it ran: `reason` (PascalCase) and `message` say why it failed. */
export const CheckOutcome = Type.Object({
  kind: Type.Union([Type.Literal('http'), Type.Literal('websocket'), Type.Literal('frontend')]),
  url: Type.String(),
  passed: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  message: Type.String(),
  durationMs: Type.Number(),
  httpStatus: Type.Optional(Type.Integer()),
  connections: Type.Optional(Type.Integer()),
  connectionsHeld: Type.Optional(Type.Integer()),
  connectMs: Type.Optional(Millis),
  roundTripMs: Type.Optional(Millis),
});
export type CheckOutcome = Static<typeof CheckOutcome>;

/** status.verification: the last run of spec.verify. */
export const Verification = Type.Object({
  ranAt: Type.String({ description: 'RFC 3339, when the run started' }),
  durationMs: Type.Number(),
  observedGeneration: Type.Integer(),
  passed: Type.Boolean(),
  checks: Type.Array(CheckOutcome),
});
export type Verification = Static<typeof Verification>;
