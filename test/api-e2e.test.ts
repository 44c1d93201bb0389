import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ControlPlane } from '../server/main.ts';
import { startTestControlPlane } from './support/control-plane.ts';
import { sseReader } from './support/sse.ts';
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

/**
 * Reads the events of a Server-Sent Events body (keepalive comments aside) until `stop` says so. The stream
 * ending first, or no such event within timeoutMs, fails the test with what was seen last.
 */
async function readEvents(body: ReadableStream<Uint8Array>, stop: (event: string, data: string) => boolean, timeoutMs: number) {
  const reader = sseReader(body);
  const deadline = Date.now() + timeoutMs;
  const seen: { event: string; data: string }[] = [];
  try {
    for (;;) {
      const message = await reader.next(deadline - Date.now());
      if (message === 'timeout' || message === 'end') {
        throw new Error(`watch ${message === 'end' ? 'ended' : `gave no final event within ${timeoutMs} ms`}; last event: ${JSON.stringify(seen.at(-1))}`);
      }
      if (message.data === undefined) continue;
      seen.push({ event: message.event ?? 'message', data: message.data });
      if (stop(seen.at(-1)!.event, message.data)) return seen;
    }
  } finally {
    await reader.cancel();
  }
}

describe('the control plane over real HTTP', () => {
  it('creates an environment, streams its status over SSE, and reaches Ready on the local target', async () => {
    dir = tempDir();
    const started = await startTestControlPlane(dir.path);
    plane = started.plane;
    const { headers } = started;
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
      50_000, // inside the 60 s test timeout, so that this bound and its message are what fail
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
