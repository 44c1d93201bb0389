import { stableStringify } from '../specs/store/stable-json.ts';
import type { StoredEnvironment } from '../specs/store/types.ts';
import { parseEnvironment, ValidationError } from '../specs/validate.ts';
import { sha256 } from './workdirs.ts';

const MAX_ENTRIES = 5_000;
const known = new Map<string, string | undefined>();

/**
 * The table may hold a spec written by hand or by an older terrace: its problems (dotted paths), or undefined.
 * Validation is pure and costs ~2 ms; a pass re-checks an unchanged document from memory. The key leaves out
 * the resourceVersion (every status write changes it; the store sets it, always a string).
 */
export function validationProblems(env: StoredEnvironment): string | undefined {
  const { status: _status, ...doc } = env;
  const { resourceVersion, ...metadata } = doc.metadata;
  const key = sha256(stableStringify({ ...doc, metadata, rv: typeof resourceVersion }));
  if (known.has(key)) return known.get(key);
  const problems = check(doc);
  known.set(key, problems);
  if (known.size > MAX_ENTRIES) known.delete(known.keys().next().value!);
  return problems;
}

function check(doc: Omit<StoredEnvironment, 'status'>): string | undefined {
  try {
    parseEnvironment(structuredClone(doc));
    return undefined;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
  }
}
