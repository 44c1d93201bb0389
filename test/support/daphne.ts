import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
/** Debian's python3-daphne lives under the system Python; the python3 first on PATH may be another one. */
const SYSTEM_PYTHON = '/usr/bin/python3';

export type AppVariant = 'ok' | 'refuse' | 'drop' | 'wrong';

export interface DaphneApp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts a real Daphne serving test/fixtures/asgi_app.py on 127.0.0.1. Port 0 lets the kernel pick a free one
 * (read back from Daphne's own "Listening on" line); pass a port to start the app again where it was.
 */
export async function startDaphne(variant: AppVariant = 'ok', port = 0): Promise<DaphneApp> {
  const proc = spawn(SYSTEM_PYTHON, ['-m', 'daphne', '-b', '127.0.0.1', '-p', String(port), 'asgi_app:app'], {
    cwd: FIXTURES,
    env: { ...process.env, TERRACE_APP_VARIANT: variant, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const bound = await listeningPort(proc);
  return { url: `http://127.0.0.1:${bound}`, port: bound, stop: () => stop(proc) };
}

function listeningPort(proc: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`daphne did not listen within 15 s: ${output.slice(-1000)}`)), 15_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(err);
    };
    proc.once('error', (err) => fail(new Error(`cannot start ${SYSTEM_PYTHON} -m daphne (apt-get install python3-daphne): ${err.message}`)));
    proc.once('exit', (code) => fail(new Error(`daphne exited (${code}) before listening: ${output.slice(-1000)}`)));
    proc.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Listening on TCP address [0-9.]+:([0-9]+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      resolve(Number(m[1]));
    });
  });
}

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}
