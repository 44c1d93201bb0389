import { stringify } from 'yaml';

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

export function serialize(value: unknown, output: Output): string {
  return output === 'json' ? JSON.stringify(value, null, 2) : stringify(value).trimEnd();
}
