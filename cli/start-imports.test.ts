import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTerrace } from '../test/support/cli.ts';
import { startTestControlPlane } from '../test/support/control-plane.ts';
import { tempDir } from '../test/support/store.ts';
import type { ControlPlane } from '../server/main.ts';

// The fast start of client commands is a property of what they import: each command loads its implementation's
// dependencies in its action. Here the real bin runs with a module hook that records every module resolved, and
// the packages only other commands need must not be among them (one static import in any *-command.ts breaks it).

const HEAVY = /\/node_modules\/(@sinclair\/typebox|yaml|@aws-sdk\/[^/]+|cdktf|@cdktf\/[^/]+|constructs|fastify|pino|dynalite)\//;

let dir: ReturnType<typeof tempDir>;
let plane: ControlPlane;
let hook: string;

beforeAll(async () => {
  dir = tempDir('terrace-start-');
  ({ plane } = await startTestControlPlane(dir.path));
  // The hooks run on their own thread: they append each resolved URL to the file the bin's environment names.
  const hooks = join(dir.path, 'trace-hooks.mjs');
  writeFileSync(hooks, `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.TERRACE_TRACE_FILE, result.url + '\\n');
  return result;
}\n`);
  hook = join(dir.path, 'trace.mjs');
  writeFileSync(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
});
afterAll(async () => {
  await plane?.stop();
  dir?.remove();
});

async function loaded(args: string[], name: string): Promise<{ code: number | null; modules: string[] }> {
  const trace = join(dir.path, `${name}.trace`);
  writeFileSync(trace, '');
  const env = { ...process.env, NODE_OPTIONS: `--import ${pathToFileURL(hook).href}`, TERRACE_TRACE_FILE: trace, TERRACE_SERVER: plane.url, TERRACE_DATA_DIR: dir.path };
  const result = await runTerrace(args, env, 30_000);
  expect(result.stderr).not.toMatch(/error/i);
  return { code: result.code, modules: readFileSync(trace, 'utf8').split('\n').filter(Boolean) };
}

describe('the start of client commands', () => {
  it('terrace --help loads commander and the command declarations only', async () => {
    const { code, modules } = await loaded(['--help'], 'help');
    expect(code).toBe(0);
    expect(modules.some((m) => m.includes('/node_modules/commander/'))).toBe(true);
    expect(modules.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  it('terrace get environments loads none of the server, document or synthesis packages', async () => {
    const { code, modules } = await loaded(['get', 'environments'], 'get');
    expect(code).toBe(0);
    expect(modules.filter((m) => HEAVY.test(m))).toEqual([]);
  });
});
