import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `terrace` bin. Asynchronous (not spawnSync) because the control plane answering it usually lives
 * in the test's own process; bounded: past `boundMs` the child is killed and the test fails with its stderr.
 */
export function runTerrace(args: string[], env: NodeJS.ProcessEnv, boundMs: number): Promise<CliResult> {
  return runBounded(process.execPath, ['cli/terrace.mjs', ...args], { cwd: repo, env }, boundMs);
}

/** A workflow step's script as GitHub runs it (`bash -eo pipefail`), bounded like runTerrace. */
export function runBash(script: string, env: NodeJS.ProcessEnv, cwd: string, boundMs: number): Promise<CliResult> {
  return runBounded('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env }, boundMs);
}

function runBounded(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }, boundMs: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const bound = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')}: no exit within ${boundMs / 1000} s; stderr: ${stderr}`));
    }, boundMs);
    child.on('close', (code) => {
      clearTimeout(bound);
      resolve({ code, stdout, stderr });
    });
  });
}
