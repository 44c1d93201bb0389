import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/store.ts';

// Every command's failure is one `error: ...` line and exit 1, never a stack trace.
const repo = fileURLToPath(new URL('../', import.meta.url));
const terrace = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['cli/terrace.mjs', ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });

describe('command failures', () => {
  it.each([
    ['serve with a bad setting', ['serve'], { PORT: 'eighty' }, /^error: invalid configuration:\n\s+PORT=eighty: must be a whole number/],
    ['synth of a missing file', ['synth', '-f', 'no-such-file.yaml'], {}, /^error: .*no-such-file\.yaml/],
    ['a client command without a server', ['get', 'environments', '--server', 'http://127.0.0.1:9', '--token', 't'], {}, /^error: /],
  ])('%s', (_label, args, env, message) => {
    const dir = tempDir();
    try {
      const r = terrace(args as string[], { TERRACE_DATA_DIR: dir.path, ...(env as Record<string, string>) });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      dir.remove();
    }
  });
});
