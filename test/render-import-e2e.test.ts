import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { importRenderBlueprint } from '../specs/import/render/convert.ts';
import type { ControlPlane } from '../server/main.ts';
import { startTestControlPlane } from './support/control-plane.ts';
import { sseReader } from './support/sse.ts';
import { tempDir } from './support/store.ts';

let plane: ControlPlane | undefined;
let dir: ReturnType<typeof tempDir> | undefined;
afterEach(async () => {
  await plane?.stop();
  plane = undefined;
  dir?.remove();
});

type Condition = { type: string; status: string; reason?: string; message?: string };
type StatusEvent = { conditions: Condition[]; tiers: Record<string, { conditions: Condition[] }> };
const ready = (conditions: Condition[]) => conditions.some((c) => c.type === 'Ready' && c.status === 'True');

describe('a Render Blueprint imported and applied on the local target', () => {
  it('Daphne, Celery, cron, Postgres, Key Value and a static site: the imported Environment reaches Ready through the API', async () => {
    const blueprint = readFileSync(new URL('../specs/import/render/testdata/chat.yaml', import.meta.url), 'utf8');
    const { documents, warnings } = importRenderBlueprint(blueprint, { target: 'local', name: 'chat-render', imageRegistry: 'ghcr.io/acme' });
    expect(documents).toHaveLength(1);
    expect(warnings.length).toBeGreaterThan(0);

    dir = tempDir();
    const started = await startTestControlPlane(dir.path);
    plane = started.plane;
    const { headers } = started;
    // Exactly what `terrace import render -o json` prints, sent as it is.
    const created = await fetch(`${plane.url}/v1/environments`, { method: 'POST', headers, body: JSON.stringify(documents[0]) });
    expect(created.status, await created.clone().text()).toBe(201);

    const watch = await fetch(`${plane.url}/v1/environments/chat-render/watch`, { headers });
    const reader = sseReader(watch.body!);
    const deadline = Date.now() + 50_000; // inside the 60 s test timeout, so this bound and its message fail first
    let last: StatusEvent | undefined;
    try {
      while (!last || !ready(last.conditions)) {
        const message = await reader.next(deadline - Date.now());
        if (message === 'timeout' || message === 'end') throw new Error(`watch ${message} before Ready; last status: ${JSON.stringify(last)}`);
        if (message.event === 'status' && message.data) last = JSON.parse(message.data) as StatusEvent;
      }
    } finally {
      await reader.cancel();
    }
    expect(Object.keys(last.tiers).sort()).toEqual(['compute', 'data', 'frontend', 'network', 'observability']);
    for (const [tier, status] of Object.entries(last.tiers)) expect(ready(status.conditions), tier).toBe(true);

    const stored = await (await fetch(`${plane.url}/v1/environments/chat-render`, { headers })).json();
    expect(stored.spec.compute.services.map((s: { name: string }) => s.name)).toEqual(['chat-web', 'chat-worker', 'chat-cleanup']);
    expect(stored.spec.compute.schedules).toEqual([{ name: 'chat-cleanup', schedule: 'cron(0 3 * * ? *)', service: 'chat-cleanup' }]);
    expect(stored.spec.compute.services[0].env.GREETING).toBe('hello ${USER}');
  });
});
