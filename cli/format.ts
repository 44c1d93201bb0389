// Plain-text output shared by the client commands: kubectl-style tables and ages.

/** Left-aligned columns, three spaces apart, no trailing blanks. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (cell ?? '').padEnd(widths[i])).join('   ').trimEnd()).join('\n');
}

/** `42s`, `17m`, `5h`, `3d` since `iso`; `-` when unknown. */
export function age(iso: string | undefined, now = Date.now()): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return '-';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 120 * 60) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

export type Output = 'json' | 'yaml';

/** JSON, or YAML (the yaml package is loaded only then: it costs every command's start otherwise). */
export async function serialize(value: unknown, output: Output): Promise<string> {
  if (output === 'json') return JSON.stringify(value, null, 2);
  const { stringify } = await import('yaml');
  return stringify(value).trimEnd();
}

/** The condition of this type; the same as specs/conditions.ts's, which would load TypeBox with it. */
export function conditionOf<C extends { type: string }>(conditions: readonly C[] | undefined, type: string): C | undefined {
  return conditions?.find((c) => c.type === type);
}

/** `250ms`, `90s`, `15m`, `2h`, `1d`, or bare seconds, in milliseconds; undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
