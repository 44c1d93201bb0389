/** What terrace reads from terraform's machine-readable (`-json`) UI stream. */
export interface TerraformDiagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail?: string;
  address?: string;
}
export interface ChangeCounts {
  add: number;
  change: number;
  remove: number;
}
export interface ParsedStream {
  diagnostics: TerraformDiagnostic[];
  /** From the `change_summary` message of plan, apply or destroy. */
  changes?: ChangeCounts;
  /** Resources that finished applying, for progress logs. */
  applied: string[];
  /** The last `outputs` message: after an apply, each output's value (none for a sensitive one); a plan's has none. */
  outputs?: Record<string, { sensitive?: boolean; value?: unknown }>;
}

export function parseJsonStream(text: string): ParsedStream {
  const out: ParsedStream = { diagnostics: [], applied: [] };
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let msg: any;
    try {
      msg = JSON.parse(line);
    } catch {
      continue;
    }
    if (msg.type === 'diagnostic' && msg.diagnostic) {
      const d = msg.diagnostic;
      out.diagnostics.push({ severity: d.severity, summary: d.summary, detail: d.detail || undefined, address: d.address });
    } else if (msg.type === 'change_summary' && msg.changes) {
      out.changes = { add: msg.changes.add ?? 0, change: msg.changes.change ?? 0, remove: msg.changes.remove ?? 0 };
    } else if (msg.type === 'apply_complete' && msg.hook?.resource?.addr) {
      out.applied.push(msg.hook.resource.addr);
    } else if (msg.type === 'outputs' && msg.outputs && typeof msg.outputs === 'object') {
      out.outputs = msg.outputs;
    }
  }
  return out;
}

/**
 * The non-sensitive outputs `apply -json` reported in its `outputs` message (terraform 1.x redacts sensitive ones
 * there, and terrace keeps none of them anyway). Undefined when the stream has no such message or a non-sensitive
 * output came without its value: then `terraform output -json` is asked.
 */
export function appliedOutputs(parsed: ParsedStream): Record<string, unknown> | undefined {
  if (!parsed.outputs) return undefined;
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(parsed.outputs)) {
    if (o.sensitive) continue;
    if (!('value' in o)) return undefined;
    values[name] = o.value;
  }
  return values;
}

/** A state lock held by someone else: `Error acquiring the state lock` with its Lock Info. */
export function lockInfo(diagnostics: TerraformDiagnostic[]): { id?: string; created?: string; createdAt?: number; who?: string } | undefined {
  // A corrupt state file is also reported as "Error acquiring the state lock", but without Lock Info.
  const d = diagnostics.find((x) => /state lock/i.test(x.summary) && /Lock Info:/.test(x.detail ?? ''));
  if (!d) return undefined;
  const field = (name: string) => new RegExp(`${name}:\\s*(.+)`).exec(d.detail ?? '')?.[1]?.trim();
  const created = field('Created');
  return { id: field('ID'), created, createdAt: created ? parseGoTime(created) : undefined, who: field('Who') };
}

/** Go's time.String(), as terraform prints lock times: `2026-01-01 00:00:00.123456789 +0000 UTC`. */
export function parseGoTime(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-])(\d{2})(\d{2})/.exec(text);
  if (!m) return undefined;
  const millis = (m[3] ?? '.0').slice(0, 4).padEnd(4, '0');
  const at = Date.parse(`${m[1]}T${m[2]}${millis}${m[4]}${m[5]}:${m[6]}`);
  return Number.isNaN(at) ? undefined : at;
}
