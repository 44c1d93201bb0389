import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// What a git or tarball install of terrace receives is what `npm pack` puts in the package. The bin runs dist/
// (built by `prepare`) only when it is there: left out, every start of an installed terrace transpiled the sources
// through tsx (over 1 s for --help), which is what .npmignore (replacing .gitignore, which lists dist/) prevents.

const ROOT = fileURLToPath(new URL('../', import.meta.url));

it('npm pack ships the built bundle the bin runs, and none of the local state', () => {
  expect(existsSync(`${ROOT}dist/.built`), 'dist/ is built (npm ci runs cli/build.mjs)').toBe(true);
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const files = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
  expect(files).toContain('cli/terrace.mjs');
  expect(files).toContain('dist/main.js');
  expect(files).toContain('dist/.built');
  expect(files.filter((f) => /^(\.terrace|node_modules|test-results)\/|\.tfstate|(^|\/)cdktf\.out\//.test(f))).toEqual([]);
});
