import type { Store, StoredEnvironment } from '../specs/store/types.ts';
import { ValidationError } from '../specs/validate.ts';
import { HttpProblem } from './errors.ts';

// What the read routes answer: status views and pages.

export function statusView(env: StoredEnvironment) {
  const { observedGeneration, conditions, tiers, verification } = env.status;
  return { ...(observedGeneration !== undefined ? { observedGeneration } : {}), generation: env.metadata.generation ?? 0, conditions, tiers, ...(verification ? { verification } : {}) };
}

/** A store read refusing its query (labelSelector, continue) is the client's error: 400 at `querystring.<field>`. */
export async function readPage<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ValidationError) throw HttpProblem.invalid(400, err.problems.map((p) => ({ ...p, path: `querystring.${p.path}` })));
    throw err;
  }
}

export function listDocuments<K extends 'Environment' | 'Target'>(store: Store, kind: K, query: { limit?: number; continue?: string; labelSelector?: string; fresh?: boolean }) {
  const { fresh: _whichStore, ...options } = query; // readStore chose the store
  return readPage(() => store.list(kind, options));
}
