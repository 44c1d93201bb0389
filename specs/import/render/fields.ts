import { LEFT_OUT } from './left-out.ts';
import type { Notes, Raw } from './notes.ts';

/** Warns about every field of `raw` that its converter did not handle: the AWS way from LEFT_OUT, or unknown. */
export function warnUnhandled(raw: Raw, path: string, handled: readonly string[], notes: Notes): void {
  for (const key of Object.keys(raw)) {
    if (handled.includes(key)) continue;
    notes.warn(path ? `${path}.${key}` : key, LEFT_OUT[key] ?? 'is not a Blueprint field terrace knows: left out');
  }
}
