import type { Problem } from '../../validate.ts';

/** One line of the import report: the Blueprint path it is about and what became of it. */
export interface Note {
  path: string;
  message: string;
}

/**
 * What an import found, by Blueprint path: what was mapped, what did not carry over (with the AWS way), and
 * errors that make the file unusable. Conversion code only appends; the caller decides what is fatal.
 */
export class Notes {
  readonly mapped: Note[] = [];
  readonly warnings: Note[] = [];
  readonly errors: Problem[] = [];
  map(path: string, message: string): void {
    this.mapped.push({ path, message });
  }
  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }
  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }
}

export type Raw = Record<string, unknown>;

export function isMap(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A scalar as Render reads it: unquoted numbers and booleans are common in real files (`value: 1`). */
export function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** A list field: absent is empty; anything else that is not a list is an error at its path. */
export function listAt(parent: Raw, key: string, path: string, notes: Notes): unknown[] {
  const value = parent[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    notes.error(path, `must be a list (got ${describe(value)})`);
    return [];
  }
  return value;
}

/** A scalar field as a string; an object or list there is an error at its path. */
export function stringAt(parent: Raw, key: string, path: string, notes: Notes): string | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  const s = scalar(value);
  if (s === undefined) notes.error(path, `must be a string (got ${describe(value)})`);
  return s;
}

export function numberAt(parent: Raw, key: string, path: string, notes: Notes): number | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n)) {
    notes.error(path, `must be a whole number (got ${describe(value)})`);
    return undefined;
  }
  return n;
}

export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isMap(value)) return 'a mapping';
  return JSON.stringify(value)?.slice(0, 60) ?? String(value);
}

/** A terrace name (DNS label, 3-40 characters, letter first) from a Render name. */
export function toName(text: string, fallback: string): string {
  let name = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^[^a-z]+/, '').slice(0, 40).replace(/-+$/, '');
  if (name.length < 3) name = `${fallback}-${name}`.replace(/-+$/, '');
  return name.length < 3 ? fallback : name;
}
