import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from '../server/main.ts';
import { tempDir } from './support/store.ts';

let plane: ControlPlane | undefined;
let dir: ReturnType<typeof tempDir>;
afterEach(async () => {
  await plane?.stop();
  plane = undefined;
  dir?.remove();
});

type Condition = { type: string; status: string; reason: string };
type StatusEvent = { conditions: Condition[]; observedGeneration?: number; tiers: Record<string, { conditions: Condition[] }> };

/** Reads `event:`/`data:` pairs from a Server-Sent Events body until `stop` says so or the time runs out. */
async function readEvents(body: ReadableStream<Uint8Array>, stop: (event: string, data: string) => boolean, timeoutMs: number) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const seen: { event: string; data: string }[] = [];
  const timer = setTimeout(() => void reader.cancel(), timeoutMs);
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (!data) continue;
        seen.push({ event, data });
        if (stop(event, data)) return seen;
      }
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => undefined);
  }
  return seen;
}

describe('the control plane over real HTTP', () => {
  it('creates an environment, streams its status over SSE, and reaches Ready on the local target', async () => {
    dir = tempDir();
    plane = await startControlPlane(
      { PORT: '0', HOST: '127.0.0.1', TERRACE_DATA_DIR: dir.path, TERRACE_SEED_EXAMPLE: 'false', TERRACE_LOG_LEVEL: 'warn', TERRACE_LOG_FORMAT: 'json', TERRACE_RESYNC: '0 0 1 1 *' },
      { handleSignals: false },
    );
    const token = readFileSync(join(dir.path, 'admin-token'), 'utf8').trim();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const doc = parse(readFileSync(new URL('../specs/examples/dev.yaml', import.meta.url), 'utf8'));
    doc.metadata.name = 'chat-e2e';

    const created = await fetch(`${plane.url}/v1/environments`, { method: 'POST', headers, body: JSON.stringify(doc) });
    expect(created.status).toBe(201);

    const watch = await fetch(`${plane.url}/v1/environments/chat-e2e/watch`, { headers });
    expect(watch.status).toBe(200);
    expect(watch.headers.get('content-type')).toContain('text/event-stream');
    const events = await readEvents(
      watch.body!,
      (event, data) => event === 'status' && (JSON.parse(data) as StatusEvent).conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
      90_000,
    );
    const statuses = events.filter((e) => e.event === 'status').map((e) => JSON.parse(e.data) as StatusEvent);
    const last = statuses.at(-1)!;
    expect(last.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(Object.keys(last.tiers).sort()).toEqual(['compute', 'data', 'frontend', 'network', 'observability']);
    // The stream showed progress tier by tier, each change once.
    expect(statuses.length).toBeGreaterThan(2);
    expect(new Set(events.map((e) => e.data)).size).toBe(events.length);
    const readyOrder = statuses.map((s) => Object.entries(s.tiers).filter(([, t]) => t.conditions.some((c) => c.type === 'Ready' && c.status === 'True')).length);
    expect(readyOrder).toEqual([...readyOrder].sort((a, b) => a - b));

    const status = await (await fetch(`${plane.url}/v1/environments/chat-e2e/status`, { headers })).json();
    expect(status.observedGeneration).toBe(status.generation);
    const metrics = await (await fetch(`${plane.url}/metrics`)).text();
    expect(metrics).toMatch(/terrace_condition\{[^}]*environment="chat-e2e"[^}]*type="Ready"[^}]*\} 1/);
    expect(metrics).toMatch(/terrace_reconcile_duration_seconds_count\{[^}]*tier="network"/);
  });
});
