/**
 * JSON with object keys sorted at every level, so equal values give byte-equal text (and hash): "did the spec
 * change?", "did the status change?", the stack files terraform reads (indented, for people reading them).
 */
export function stableStringify(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  indent);
}
