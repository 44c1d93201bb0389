import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const BIN = new URL('../../cli/terrace.mjs', import.meta.url).pathname;

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  /** JSON log lines seen so far. */
  logs: { msg: string; [k: string]: unknown }[];
  /** Everything written to stdout and stderr. */
  output(): string;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<{ msg: string }>;
  api(path: string, init?: RequestInit): Promise<Response>;
  exited: Promise<number | null>;
}

/** Starts `terrace serve` as a real child process on a loopback port, with JSON logs. */
export async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', TERRACE_DATA_DIR: dataDir, TERRACE_LOG_FORMAT: 'json', TERRACE_RESYNC: '*/2 * * * * *', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: ServerProcess['logs'] = [];
  const listeners = new Set<() => void>();
  let buffered = '';
  let stderr = '';
  let all = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    all += chunk.toString();
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        logs.push(JSON.parse(line));
      } catch {
        /* not a log line */
      }
    }
    listeners.forEach((l) => l());
  });
  proc.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    all += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  const waitForLog = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<{ msg: string }>((resolve, reject) => {
      const check = () => {
        const hit = logs.find((l) => pattern.test(l.msg));
        if (!hit) return;
        cleanup();
        resolve(hit);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}; last logs: ${logs.slice(-5).map((l) => l.msg).join(' | ')}`));
      }, timeoutMs);
      const onExit = () => {
        cleanup();
        reject(new Error(`server exited before logging ${pattern}; stderr: ${stderr.slice(-2000)}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
        proc.off('exit', onExit);
      };
      listeners.add(check);
      proc.once('exit', onExit);
      check();
    });

  const listening = (await waitForLog(/control plane listening on/)) as { msg: string; url?: string };
  const url = String(listening.url);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return { proc, url, logs, output: () => all, waitForLog, api, exited };
}
