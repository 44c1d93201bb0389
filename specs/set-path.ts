import type { Problem } from './validate.ts';

// `--set path=value` on the command line (preview create; promote may reuse it): one change to a spec at a dotted
// path such as `compute.services[0].image=ghcr.io/acme/app:pr-12`. Pure: the document is cloned, never changed.

export interface SetExpression {
  /** The path as written, relative to `spec` (a leading `spec.` is accepted). */
  path: string;
  keys: (string | number)[];
  value: unknown;
}

const SEGMENT = /^([A-Za-z_][A-Za-z0-9_-]*)((?:\[[0-9]+\])*)$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * `a.b[0].c=value`. The value is JSON when it reads as JSON (`2`, `true`, `null`, `"x"`, `[...]`, `{...}`), else the
 * text as a string: `image=ghcr.io/acme/app:1.2` needs no quotes, `desiredCount=2` is a number.
 * Throws a message naming what is wrong (the caller puts it at the expression's own path, e.g. `set[1]`).
 */
export function parseSetExpression(text: string): SetExpression {
  const at = text.indexOf('=');
  if (at <= 0) throw new Error(`${JSON.stringify(text)} is not path=value`);
  const path = text.slice(0, at).trim();
  const raw = text.slice(at + 1);
  const keys: (string | number)[] = [];
  for (const part of path.replace(/^spec\./, '').split('.')) {
    const m = SEGMENT.exec(part);
    if (!m || FORBIDDEN_KEYS.has(m[1])) throw new Error(`${JSON.stringify(path)} is not a dotted path such as compute.services[0].image`);
    keys.push(m[1], ...[...m[2].matchAll(/\[([0-9]+)\]/g)].map((i) => Number(i[1])));
  }
  return { path, keys, value: parseValue(raw) };
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Sets each expression's value in a copy of `spec`. Missing objects on the way are created; an array index must
 * exist already (a list is not grown by a typo). Problems are reported at `<label>[i]`; none applied if any.
 */
export function applySetExpressions(spec: Record<string, unknown>, expressions: readonly string[], label = 'set'): { spec: Record<string, unknown>; problems: Problem[] } {
  const out = structuredClone(spec);
  const problems: Problem[] = [];
  expressions.forEach((text, i) => {
    try {
      setAt(out, parseSetExpression(text));
    } catch (err) {
      problems.push({ path: `${label}[${i}]`, message: (err as Error).message });
    }
  });
  return { spec: problems.length > 0 ? spec : out, problems };
}

function setAt(root: Record<string, unknown>, { path, keys, value }: SetExpression): void {
  let node: unknown = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i];
    const container = node as Record<string | number, unknown>;
    if (typeof key === 'number') {
      if (!Array.isArray(node) || key >= node.length) throw new Error(`${path}: ${describePrefix(keys, i)} has no item [${key}]`);
    } else if (container[key] === undefined) {
      container[key] = typeof keys[i + 1] === 'number' ? [] : {};
    }
    node = container[key];
    if (typeof node !== 'object' || node === null) throw new Error(`${path}: ${describePrefix(keys, i + 1)} is not an object or a list`);
  }
  const last = keys[keys.length - 1];
  if (typeof last === 'number') {
    if (!Array.isArray(node) || last >= node.length) throw new Error(`${path}: ${describePrefix(keys, keys.length - 1)} has no item [${last}]`);
  } else if (Array.isArray(node)) {
    throw new Error(`${path}: ${describePrefix(keys, keys.length - 1)} is a list: give an index`);
  }
  (node as Record<string | number, unknown>)[last] = value;
}

function describePrefix(keys: (string | number)[], length: number): string {
  return keys.slice(0, length).reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '') || 'spec';
}
