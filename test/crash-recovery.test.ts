import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startServer, type ServerProcess } from './support/server.ts';
import { openTestStore, tempDir } from './support/store.ts';

let dir: ReturnType<typeof tempDir>;
const servers: ServerProcess[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
  dir?.remove();
});

type Env = { metadata: { generation: number }; spec: unknown; status: { observedGeneration?: number; conditions: { type: string; status: string }[]; tiers: Record<string, { conditions: { type: string; status: string }[] }> } };
const ready = (c: { type: string; status: string }[] | undefined) => c?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

describe('npm start on embedded defaults', () => {
  it('applies the example on a first start, survives kill -9 mid-apply, and converges after a restart', async () => {
    dir = tempDir();
    const first = await startServer(dir.path);
    servers.push(first);
    await first.waitForLog(/first start: created the example Environment chat-dev/);
    // Piped output goes to log stores: it names the token file, never the token.
    const token = readFileSync(join(dir.path, 'admin-token'), 'utf8').trim();
    expect(first.output()).not.toContain(token);
    expect(first.logs.some((l) => /generated an admin token, saved to/.test(l.msg))).toBe(true);
    await first.waitForLog(/applying data/); // terraform is applying the data tier now
    first.proc.kill('SIGKILL');
    await first.exited;

    const second = await startServer(dir.path);
    servers.push(second);
    expect(second.logs.some((l) => /first start/.test(l.msg))).toBe(false); // the store kept the environment
    const env = await eventually(async () => {
      const res = await second.api('/v1/environments/chat-dev');
      const body = (await res.json()) as Env;
      return ready(body.status?.conditions) && body.status.observedGeneration === body.metadata.generation ? body : undefined;
    }, 120_000, 'chat-dev Ready after the restart');
    for (const tier of ['network', 'data', 'compute', 'frontend', 'observability']) expect(ready(env.status.tiers[tier]?.conditions), tier).toBe(true);
    expect((env.spec as { target: string }).target).toBe('local');

    // No lock stays held and the state matches: a locking plan finds nothing to do in every tier.
    const work = join(dir.path, 'work', 'chat-dev');
    for (const tier of readdirSync(work)) {
      execFileSync('terraform', ['plan', '-lock-timeout=0s', '-detailed-exitcode', '-input=false', '-no-color'], {
        cwd: join(work, tier),
        env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: join(dir.path, 'terraform', 'terraform.rc') },
        stdio: 'pipe',
      });
    }

    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 180_000);

  it('on SIGTERM mid-apply, stops terraform cleanly, exits 0 and leaves no lease behind', async () => {
    dir = tempDir();
    const server = await startServer(dir.path);
    servers.push(server);
    await server.waitForLog(/applying data/);
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.logs.some((l) => /shutting down/.test(l.msg))).toBe(true);

    const store = await openTestStore({ dataDir: dir.path });
    try {
      expect(await store.acquireLease('chat-dev', 'another-replica', 1_000)).toBe(true);
      expect((await store.get('Environment', 'chat-dev'))?.spec.target).toBe('local');
    } finally {
      await store.close();
    }
  }, 120_000);
});

