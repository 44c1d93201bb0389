import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonStream, type ChangeCounts, type ParsedStream } from './terraform-json.ts';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  parsed: ParsedStream;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
}

/** `terraform output` failed, or printed something that is not its JSON. */
export class OutputsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputsError';
  }
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TerraformRunner {
  init(dir: string, options: RunOptions): Promise<RunResult>;
  /** `plan -detailed-exitcode -out`: `changes` is set when the exit code was 2. */
  plan(dir: string, planFile: string, options: RunOptions): Promise<RunResult & { changes?: ChangeCounts }>;
  /** `plan -destroy -detailed-exitcode -out`: the plan that removes everything in the tier's state. */
  planDestroy(dir: string, planFile: string, options: RunOptions): Promise<RunResult & { changes?: ChangeCounts }>;
  apply(dir: string, planFile: string, options: RunOptions): Promise<RunResult>;
  destroy(dir: string, options: RunOptions): Promise<RunResult>;
  /** Non-sensitive outputs only; throws OutputsError when terraform cannot give them. */
  outputs(dir: string, options: RunOptions): Promise<Record<string, unknown>>;
  forceUnlock(dir: string, lockId: string, options: RunOptions): Promise<RunResult>;
}

export interface TerraformCliOptions {
  /** Where terrace keeps its own CLI config and plugin cache: never the user's ~/.terraformrc. */
  homeDir: string;
  bin?: string;
  /** Extra variables for the child (AWS credentials for aws targets); TF_* of the parent are not passed. */
  passEnv?: (name: string) => boolean;
  /** A filesystem mirror (`terraform providers mirror` layout): the providers in it are installed only from it. */
  providerMirror?: string;
  /** Grace between SIGINT (terraform stops cleanly, releasing its lock) and SIGKILL. */
  killGraceMs?: number;
  /** Called for every spawned terraform process (tests count them; logs show them). */
  onSpawn?: (dir: string, args: string[]) => void;
}

/** The only code in terrace that spawns processes: terraform with `-json`, a timeout and cancellation. */
export class TerraformCli implements TerraformRunner {
  private readonly env: Record<string, string>;
  private readonly bin: string;

  constructor(private readonly options: TerraformCliOptions) {
    this.bin = options.bin ?? 'terraform';
    mkdirSync(join(options.homeDir, 'plugin-cache'), { recursive: true });
    const rc = join(options.homeDir, 'terraform.rc');
    writeFileSync(rc, `disable_checkpoint = true\nplugin_cache_dir = "${join(options.homeDir, 'plugin-cache')}"\n${options.providerMirror ? mirrorConfig(options.providerMirror) : ''}`);
    const passEnv = options.passEnv ?? ((name: string) => /^(AWS_|HTTPS?_PROXY$|NO_PROXY$)/i.test(name));
    const inherited = Object.entries(process.env).filter(([k, v]) => v !== undefined && (['PATH', 'HOME', 'TMPDIR', 'LANG', 'USER'].includes(k) || passEnv(k)));
    this.env = {
      ...(Object.fromEntries(inherited) as Record<string, string>),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      TF_CLI_CONFIG_FILE: rc,
    };
  }

  init(dir: string, options: RunOptions) {
    // -reconfigure: a tier's state location is fixed by its Target (which cannot move while in use); a changed
    // backend setting (credentials, encryption headers) must not stop init asking to migrate state.
    return this.run(dir, ['init', '-reconfigure', '-input=false', '-no-color', '-json'], options);
  }

  plan(dir: string, planFile: string, options: RunOptions): Promise<RunResult & { changes?: ChangeCounts }> {
    return this.planWith(dir, planFile, [], options);
  }

  planDestroy(dir: string, planFile: string, options: RunOptions): Promise<RunResult & { changes?: ChangeCounts }> {
    return this.planWith(dir, planFile, ['-destroy'], options);
  }

  private async planWith(dir: string, planFile: string, extra: string[], options: RunOptions): Promise<RunResult & { changes?: ChangeCounts }> {
    const result = await this.run(dir, ['plan', ...extra, '-input=false', '-no-color', '-json', '-lock-timeout=0s', '-detailed-exitcode', `-out=${planFile}`], options);
    // -detailed-exitcode: 2 means success with changes.
    if (result.code === 2) return { ...result, code: 0, changes: result.parsed.changes ?? { add: 0, change: 0, remove: 0 } };
    return result;
  }

  /**
   * A plan that keeps nothing and locks nothing (`terrace diff`): `-lock=false` and no `-out`, so a controller
   * running in the same state meanwhile is never blocked; `-detailed-exitcode`: 2 means changes.
   */
  speculativePlan(dir: string, options: RunOptions & { destroy?: boolean }): Promise<RunResult> {
    return this.run(dir, ['plan', ...(options.destroy ? ['-destroy'] : []), '-lock=false', '-input=false', '-no-color', '-json', '-detailed-exitcode'], options);
  }

  apply(dir: string, planFile: string, options: RunOptions) {
    return this.run(dir, ['apply', '-input=false', '-no-color', '-json', '-lock-timeout=0s', planFile], options);
  }

  destroy(dir: string, options: RunOptions) {
    return this.run(dir, ['apply', '-destroy', '-auto-approve', '-input=false', '-no-color', '-json', '-lock-timeout=0s'], options);
  }

  async outputs(dir: string, options: RunOptions): Promise<Record<string, unknown>> {
    const result = await this.run(dir, ['output', '-json', '-no-color'], options);
    if (result.code !== 0) throw new OutputsError(`terraform output failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
    let all: Record<string, { value: unknown; sensitive: boolean }>;
    try {
      all = JSON.parse(result.stdout || '{}');
    } catch {
      // Not quoted: the text holds sensitive outputs too.
      throw new OutputsError('terraform output printed something that is not JSON');
    }
    return Object.fromEntries(Object.entries(all).filter(([, o]) => !o.sensitive).map(([k, o]) => [k, o.value]));
  }

  forceUnlock(dir: string, lockId: string, options: RunOptions) {
    return this.run(dir, ['force-unlock', '-force', '-no-color', lockId], options);
  }

  private run(dir: string, args: string[], { timeoutMs, signal }: RunOptions): Promise<RunResult> {
    const started = Date.now();
    // A cancelled pass (shutdown, lost lease) starts nothing: another replica may already run terraform here.
    if (signal?.aborted) return Promise.resolve({ code: 130, stdout: '', stderr: '', parsed: parseJsonStream(''), durationMs: 0, timedOut: false, cancelled: true });
    this.options.onSpawn?.(dir, args);
    return new Promise((resolve) => {
      const child = spawn(this.bin, args, { cwd: dir, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => stdout.push(b));
      child.stderr.on('data', (b: Buffer) => stderr.push(b));
      let timedOut = false;
      let cancelled = false;
      let killTimer: NodeJS.Timeout | undefined;
      // SIGINT first: terraform finishes the resource in flight, writes state and releases its lock.
      const stop = () => {
        if (child.exitCode !== null || killTimer) return;
        child.kill('SIGINT');
        killTimer = setTimeout(() => child.kill('SIGKILL'), this.options.killGraceMs ?? 20_000);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, Math.min(timeoutMs, 2 ** 31 - 1)); // a longer timer would fire at once
      const onAbort = () => {
        cancelled = true;
        stop();
      };
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (code: number, extraErr = '') => {
        clearTimeout(timer);
        clearTimeout(killTimer);
        signal?.removeEventListener('abort', onAbort);
        const out = Buffer.concat(stdout).toString();
        resolve({
          code,
          stdout: out,
          stderr: Buffer.concat(stderr).toString() + extraErr,
          parsed: parseJsonStream(out),
          durationMs: Date.now() - started,
          timedOut,
          cancelled,
        });
      };
      child.on('error', (err) => finish(127, `could not run ${this.bin}: ${err.message}`));
      child.on('close', (code, sig) => finish(code ?? (sig ? 128 : 1)));
    });
  }
}

/**
 * The providers found in the mirror come from it alone (an image never downloads them, and an unpacked mirror is
 * linked into each working directory, not copied); any other provider is still installed from its registry.
 */
export function mirrorConfig(mirror: string): string {
  const providers = readdirSync(mirror, { withFileTypes: true }).filter((h) => h.isDirectory()).flatMap((host) =>
    readdirSync(join(mirror, host.name), { withFileTypes: true }).filter((n) => n.isDirectory()).flatMap((ns) =>
      readdirSync(join(mirror, host.name, ns.name), { withFileTypes: true }).filter((t) => t.isDirectory()).map((type) => `"${host.name}/${ns.name}/${type.name}"`)));
  if (providers.length === 0) throw new Error(`provider mirror ${mirror} holds no provider (expected <host>/<namespace>/<type>/<version>/...)`);
  const list = providers.join(', ');
  return `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = [${list}]\n  }\n  direct {\n    exclude = [${list}]\n  }\n}\n`;
}
