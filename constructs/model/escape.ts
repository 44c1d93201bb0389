/**
 * Terraform reads every JSON string as a template: `${...}` interpolates and `%{...}` is a directive.
 * A user string (env value, command, name) must reach AWS literally, so both introducers are doubled.
 */
export function escapeTemplate(s: string): string {
  // A function replacement: in a replacement string `$$` would itself mean one `$`.
  return s.replace(/([$%])\{/g, (_, c: string) => `${c}${c}{`);
}

/** Escapes every string (keys too: env var names end up as JSON keys) in plain data. */
export function escapeDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeTemplate(value) as T;
  if (Array.isArray(value)) return value.map((v) => escapeDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeTemplate(k), escapeDeep(v)])) as T;
  }
  return value;
}
