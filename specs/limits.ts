import type { Problem } from './validate.ts';

/**
 * Limits every document keeps, checked before the schema: they bound what validation, the store and
 * terraform ever see. Documented in the README ("Limits").
 */
export const LIMITS = {
  /** Real documents nest under 10 levels; deeper input only exists to exhaust the stack. */
  depth: 32,
  /** A stored document (spec item) must fit DynamoDB's 400 KB item with room for its keys. */
  documentBytes: 256 * 1024,
  labels: 64,
  annotations: 64,
  /** AWS allows 50 tags per resource; terrace adds a few of its own to the Target's. */
  targetTags: 40,
  /** Per service: ECS caps a whole task definition at 64 KiB. */
  envEntries: 100,
  secretEntries: 100,
} as const;

/** Keys JavaScript gives a meaning to when assigned: never a user's key. */
const RESERVED_KEYS = new Set(['__proto__']);

/**
 * Problems of shape that must be found before any recursive code walks the input: nesting deeper than
 * LIMITS.depth, and reserved keys. Iterative, so any input is safe.
 */
export function structuralProblems(input: unknown): Problem[] {
  const problems: Problem[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: input, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= LIMITS.depth) {
      problems.push({ path, message: `is nested deeper than ${LIMITS.depth} levels` });
      continue;
    }
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    for (const [key, child] of entries) {
      const at = typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (typeof key === 'string' && RESERVED_KEYS.has(key)) problems.push({ path: at, message: `${key} is not allowed as a key` });
      else stack.push({ value: child, path: at, depth: depth + 1 });
    }
  }
  return problems;
}

/** The document as it would be stored (defaults filled) must fit one DynamoDB item. */
export function sizeProblems(doc: unknown): Problem[] {
  const bytes = Buffer.byteLength(JSON.stringify(doc) ?? '');
  if (bytes <= LIMITS.documentBytes) return [];
  return [{ path: '', message: `the document is ${Math.ceil(bytes / 1024)} KiB; at most ${LIMITS.documentBytes / 1024} KiB can be stored` }];
}
