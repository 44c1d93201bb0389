import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { findCondition } from '../../specs/conditions.ts';
import { synthesizeTeardown, synthesizeTier } from '../../constructs/index.ts';
import type { Store, StoredEnvironment } from '../../specs/store/types.ts';
import { realClock, type Clock } from '../../controller/clock.ts';
import type { TaskRunners } from '../../controller/db-setup/step.ts';
import { Reconciler } from '../../controller/reconciler.ts';
import { TerraformCli, type TerraformRunner } from '../../controller/runner.ts';
import { cachedSynthesize, type Synthesize } from '../../controller/synth-cache.ts';
import { WorkDirs } from '../../controller/workdirs.ts';
import { openTestStore, tempDir } from './store.ts';

export const quietLog = pino({ level: process.env.TERRACE_TEST_LOG ?? 'silent' });

/** Real terraform, recording every process it spawns as `<env>/<tier> <command>`. */
export function countingTerraform(homeDir: string): { terraform: TerraformCli; spawned: string[] } {
  const spawned: string[] = [];
  const terraform = new TerraformCli({
    homeDir,
    killGraceMs: 5_000,
    onSpawn: (dir, args) => spawned.push(`${dir.split('/').slice(-2).join('/')} ${args[0]}${args[1] === '-destroy' ? ' -destroy' : ''}`),
  });
  return { terraform, spawned };
}

type Command = keyof TerraformRunner;
export interface TerraformHooks {
  /** Before the process starts. */
  before?: (command: Command, dir: string) => void | Promise<void>;
  /** Right after the process started, while it runs. */
  during?: (command: Command, dir: string) => void;
  /** Once it ended (`result` is what the runner returned). */
  after?: (command: Command, dir: string, result: unknown) => void | Promise<void>;
}

/** Real terraform with hooks around every command: a test observes the store, or cancels, at an exact step. */
export function hookedTerraform(inner: TerraformRunner, hooks: TerraformHooks): TerraformRunner {
  const wrap = <C extends Command>(command: C) =>
    (async (dir: string, ...rest: unknown[]) => {
      await hooks.before?.(command, dir);
      const running = (inner[command] as (...a: unknown[]) => Promise<unknown>).call(inner, dir, ...rest);
      hooks.during?.(command, dir);
      const result = await running;
      await hooks.after?.(command, dir, result);
      return result;
    }) as TerraformRunner[C];
  return {
    init: wrap('init'), plan: wrap('plan'), planDestroy: wrap('planDestroy'), apply: wrap('apply'),
    destroy: wrap('destroy'), outputs: wrap('outputs'), forceUnlock: wrap('forceUnlock'),
  };
}

/** The tier a terraform working directory belongs to (`<data>/work/<environment>/<tier>`). */
export const tierOf = (dir: string) => dir.split('/').at(-1)!;

export type LogLine = { level: number; msg: string; err?: { type: string; message: string; stack: string }; [k: string]: unknown };

/** A real pino logger whose JSON lines land in `lines`: tests read what an operator would read. */
export function capturingLog(): { log: Logger; lines: LogLine[]; next(match: (line: LogLine) => boolean): Promise<LogLine> } {
  const lines: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const write = (text: string) => {
    const line = JSON.parse(text) as LogLine;
    lines.push(line);
    for (const w of waiters.filter((x) => x.match(line))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  };
  const log = pino({ level: 'debug' }, { write });
  /** The next line written that matches (lines already written do not count). */
  const next = (match: (line: LogLine) => boolean) => new Promise<LogLine>((resolve) => waiters.push({ match, resolve }));
  return { log, lines, next };
}

/** A clock that moves only when told to, firing due timers in order. */
export class ManualClock implements Clock {
  private at = Date.parse('2026-01-01T00:00:00Z');
  private timers = new Map<number, { at: number; fn: () => void }>();
  private ids = 0;

  now = () => this.at;
  setTimeout = (fn: () => void, ms: number) => {
    this.timers.set(++this.ids, { at: this.at + ms, fn });
    return this.ids;
  };
  clearTimeout = (id: unknown) => void this.timers.delete(id as number);

  advance(ms: number): void {
    const until = this.at + ms;
    for (;;) {
      const [id, due] = [...this.timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (!due) break;
      this.timers.delete(id!);
      this.at = due.at;
      due.fn();
    }
    this.at = until;
  }
}

/** The real store with some methods replaced, e.g. by ones that fail as an unreachable store does. */
export function storeWith(store: Store, replaced: Partial<Store>): Store {
  return new Proxy(store, {
    get: (target, key) => {
      if (key in replaced) return replaced[key as keyof Store];
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function testReconciler(options: { store: Store; dataDir: string; terraform: TerraformRunner; clock?: Clock; synthesize?: Synthesize; log?: Logger; taskRunners?: TaskRunners }) {
  return new Reconciler({
    store: options.store,
    terraform: options.terraform,
    workdirs: new WorkDirs(join(options.dataDir, 'work')),
    synthesize: options.synthesize ?? cachedSynthesize(synthesizeTier),
    teardown: synthesizeTeardown,
    clock: options.clock ?? realClock,
    log: options.log ?? quietLog,
    timeoutMs: 120_000,
    staleLockMs: 10 * 60_000,
    taskRunners: options.taskRunners,
  });
}

/** The dev example (all five tiers, local target) under another name, with `edit` applied to its spec. */
export { devEnvironment } from '../../constructs/testing/fixtures.ts';

/**
 * What the reconciler tests share, fresh for every test: a store, a data dir, real terraform recording the
 * processes it starts, a reconciler on a clock the test moves (`advance`), and readers of what was stored.
 */
export function reconcilerFixture() {
  let store: Store;
  let dir: ReturnType<typeof tempDir>;
  let counting: ReturnType<typeof countingTerraform>;
  let reconciler: Reconciler;
  let now = Date.now();
  const clock: Clock = { ...realClock, now: () => now };
  beforeEach(async () => {
    store = await openTestStore();
    dir = tempDir();
    counting = countingTerraform(dir.path);
    reconciler = testReconciler({ store, dataDir: dir.path, terraform: counting.terraform, clock });
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });
  return {
    get store() { return store; },
    get dataDir() { return dir.path; },
    /** `<env>/<tier> <command>` of every terraform process started. */
    get spawned() { return counting.spawned; },
    get terraform() { return counting.terraform; },
    get reconciler() { return reconciler; },
    clock,
    advance: (ms: number) => void (now += ms),
    signal: () => new AbortController().signal,
    get: async (name = 'chat-dev') => (await store.get('Environment', name)) as StoredEnvironment,
    cond: (env: StoredEnvironment, type: string, tier?: string) => findCondition(tier ? env.status.tiers[tier]?.conditions : env.status.conditions, type),
    tierDir: (tier: string, name = 'chat-dev') => join(dir.path, 'work', name, tier),
    /** Terraform run by hand in a tier's directory, with the CLI config terrace uses. */
    tf: (cwd: string, ...args: string[]) => execFileSync('terraform', args, { cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: join(dir.path, 'terraform.rc') }, encoding: 'utf8' }),
  };
}
