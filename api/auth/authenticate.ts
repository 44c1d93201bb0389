import type { FastifyRequest, RouteOptions } from 'fastify';
import type { Store } from '../../specs/store/types.ts';
import { HttpProblem } from '../errors.ts';
import type { Scope } from '../schemas.ts';
import { hashToken, sameHash, tokenId } from './tokens.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a /v1 route needs; routes without one need admin (fail closed). */
    scope?: Scope;
  }
  interface FastifyRequest {
    /** Who called, once the /v1 auth hook accepted the token. */
    principal?: Principal;
  }
}

export interface Principal {
  id: string;
  hash: string;
  name: string;
  scopes: Scope[];
}

/** read is implied by every other scope; admin implies all. */
export function allows(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes('admin') || scopes.includes(needed) || (needed === 'read' && scopes.length > 0);
}

/** `Bearer <token>`: the scheme is case-insensitive (RFC 9110 11.1), one or more spaces before the token. */
const BEARER = /^bearer +([\x21-\x7e]{1,512})$/i;

/**
 * Bearer-token authentication. `identify` is memoised per request: the rate limiter keys on
 * the principal before the auth hook rejects, and both must cost one store read at most.
 */
export function createAuth(deps: { store: Store; adminTokenHash?: string }) {
  const seen = new WeakMap<FastifyRequest, Promise<Principal | undefined>>();

  async function lookup(request: FastifyRequest): Promise<Principal | undefined> {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) return undefined;
    const hash = hashToken(match[1]);
    if (deps.adminTokenHash && sameHash(hash, deps.adminTokenHash)) return { id: tokenId(hash), hash, name: 'admin', scopes: ['admin'] };
    const stored = await deps.store.getToken(hash);
    return stored && { id: tokenId(hash), hash, name: stored.name, scopes: stored.scopes as Scope[] };
  }

  function identify(request: FastifyRequest): Promise<Principal | undefined> {
    let found = seen.get(request);
    if (!found) seen.set(request, (found = lookup(request)));
    return found;
  }

  async function authorize(request: FastifyRequest): Promise<void> {
    const principal = await identify(request);
    if (!principal) {
      throw new HttpProblem(401, 'a valid bearer token is required', { headers: { 'www-authenticate': 'Bearer realm="terrace"' } });
    }
    const needed = request.routeOptions.config.scope ?? 'admin';
    if (!allows(principal.scopes, needed)) {
      throw new HttpProblem(403, `token ${principal.name} lacks the ${needed} scope`, {
        headers: { 'www-authenticate': `Bearer realm="terrace", error="insufficient_scope", scope="${needed}"` },
      });
    }
    request.principal = principal;
    request.log = request.log.child({ principal: principal.name });
  }

  /** Documents the bearer requirement and the scope of each route in the OpenAPI output. */
  function documentRoute(route: RouteOptions): void {
    const scope = (route.config as { scope?: Scope } | undefined)?.scope ?? 'admin';
    const schema = (route.schema ??= {}) as Record<string, unknown>;
    schema.security = [{ bearer: [] }];
    schema.description = [schema.description, `Needs scope \`${scope}\`.`].filter(Boolean).join(' ');
  }

  return { identify, authorize, documentRoute };
}
