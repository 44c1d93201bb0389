import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppDeps } from '../../api/app.ts';
import { hashToken } from '../../api/auth/tokens.ts';
import type { Scope } from '../../api/schemas.ts';
import { CachedStore } from '../../specs/store/cached-store.ts';
import type { Store } from '../../specs/store/types.ts';
import { openTestStore } from './store.ts';

export const ADMIN_TOKEN = 'trc_test-admin-token-not-secret-0000';

export interface TestApi {
  app: FastifyInstance;
  store: CachedStore;
  /** `Authorization` headers: the admin token, or a stored token with these scopes. */
  admin: { authorization: string };
  as(...scopes: Scope[]): Promise<{ authorization: string }>;
  /** inject() with the admin token unless headers say otherwise. */
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * buildApp on a real dynalite store behind its read cache (polling every second unless given a CachedStore, whose
 * polls are the caller's), quiet logs and a known admin token. Writes through `store` are in the
 * cache at once, as the API's own writes are.
 */
export async function startApi(deps: Partial<AppDeps> = {}): Promise<TestApi> {
  const given = deps.store;
  const store = given instanceof CachedStore ? given : CachedStore.over(given ?? (await openTestStore()), { pollMs: 1000 });
  if (store !== given) store.start();
  const app = await buildApp({ logger: false, adminTokenHash: hashToken(ADMIN_TOKEN), ...deps, store });
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  let n = 0;
  return {
    app,
    store,
    admin,
    async as(...scopes) {
      const token = `trc_test-${scopes.join('-') || 'none'}-${++n}-padding-padding`;
      await store.putToken({ hash: hashToken(token), name: `test-${n}`, scopes, createdAt: new Date(0).toISOString() });
      return { authorization: `Bearer ${token}` };
    },
    call: (options) => app.inject({ ...options, headers: { ...admin, ...options.headers } }),
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** A raw environment body as a client would send it (not defaulted). */
export function envBody(name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) {
  return {
    apiVersion: 'terrace.dev/v1alpha1',
    kind: 'Environment',
    metadata: { name, ...metadata },
    spec: { target: 'local', network: { cidr: '10.0.0.0/16' }, ...spec },
  };
}
