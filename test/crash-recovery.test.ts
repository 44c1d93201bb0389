import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../specs/store/types.ts';
import { startServer, type ServerProcess } from './support/server.ts';
import { openTestStore, tempDir } from './support/store.ts';

let dir: ReturnType<typeof tempDir>;
const servers: ServerProcess[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
  dir?.remove();
});

const TIERS = ['network', 'data', 'compute', 'frontend', 'observability'];
type Conditions = { type: string; status: string }[] | undefined;
const readyCondition = (c: Conditions) => c?.find((x) => x.type === 'Ready');
const ready = (c: Conditions) => readyCondition(c)?.status === 'True';

/** Opens the embedded store of a stopped server (one process per data dir), reads, and closes it. */
async function readStore<T>(dataDir: string, read: (store: Store) => Promise<T>): Promise<T> {
  const store = await openTestStore({ dataDir });
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

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
    const atCrash = await readStore(dir.path, async (store) => (await store.get('Environment', 'chat-dev'))!);
    const readyAtCrash = TIERS.filter((t) => ready(atCrash.status.tiers[t]?.conditions));
    expect(readyAtCrash).toContain('network'); // applied and recorded before the crash
    expect(first.logs.some((l) => l.msg.startsWith('chat-dev: applying network:'))).toBe(true); // how an apply is logged

    const second = await startServer(dir.path);
    servers.push(second);
    expect(second.logs.some((l) => /first start/.test(l.msg))).toBe(false); // the store kept the environment
    await second.waitForLog(/chat-dev is Ready: 5 tiers applied/, 120_000);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const { env, events } = await readStore(dir.path, async (store) => ({ env: (await store.get('Environment', 'chat-dev'))!, events: (await store.listEvents('chat-dev', { limit: 1000 })).items }));
    // Recovered: every tier Ready at the generation the spec is at, none of them stale.
    expect(env.status.observedGeneration).toBe(env.metadata.generation);
    for (const tier of TIERS) expect(readyCondition(env.status.tiers[tier]?.conditions), tier).toMatchObject({ status: 'True', observedGeneration: env.metadata.generation });
    // No tier applied twice: what was recorded before the crash was not applied again, and no tier has two applies.
    for (const tier of readyAtCrash) expect(env.status.tiers[tier].lastAppliedAt, tier).toBe(atCrash.status.tiers[tier].lastAppliedAt);
    expect(second.logs.filter((l) => readyAtCrash.some((t) => l.msg.startsWith(`chat-dev: applying ${t}:`)))).toEqual([]);
    const applies = events.filter((e) => e.action === 'apply' && e.outcome === 'Succeeded').map((e) => e.tier);
    expect(applies.length).toBe(new Set(applies).size);

    // No lock left behind, and the state matches: a locking plan finds nothing to do in every tier.
    const work = join(dir.path, 'work', 'chat-dev');
    for (const tier of readdirSync(work)) {
      expect(existsSync(join(work, tier, '.terraform.tfstate.lock.info')), `${tier} lock`).toBe(false);
      execFileSync('terraform', ['plan', '-lock-timeout=0s', '-detailed-exitcode', '-input=false', '-no-color'], {
        cwd: join(work, tier),
        env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: join(dir.path, 'terraform', 'terraform.rc') },
        stdio: 'pipe',
      });
    }
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

