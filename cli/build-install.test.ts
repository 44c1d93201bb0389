import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../test/support/store.ts';

// A rebuild must not pull the bundle from under a running control plane: its constructs chunk loads lazily, on
// the first synthesis, maybe long after start (a deleted chunk stalled every environment until a restart).
const { install } = (await import('./build.mjs' as string)) as { install: (built: string, dist: string, now?: number) => void };

let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

it('installs a new build beside the old chunks, the entry and stamp last; chunks a day old go', () => {
  dir = tempDir();
  const [built, dist] = [join(dir.path, 'built/'), join(dir.path, 'dist/')];
  mkdirSync(join(built, 'web'), { recursive: true });
  mkdirSync(dist);
  writeFileSync(join(dist, 'main.js'), 'old entry');
  writeFileSync(join(dist, 'constructs-OLD.js'), 'old chunk');
  writeFileSync(join(dist, 'chunk-ANCIENT.js'), 'from a build two days ago');
  const now = Date.now();
  utimesSync(join(dist, 'chunk-ANCIENT.js'), (now - 2 * 86_400_000) / 1000, (now - 2 * 86_400_000) / 1000);
  writeFileSync(join(built, 'main.js'), 'new entry');
  writeFileSync(join(built, 'constructs-NEW.js'), 'new chunk');
  writeFileSync(join(built, 'web', 'main.js'), 'dashboard');
  install(built, dist, now);
  expect(readFileSync(join(dist, 'main.js'), 'utf8')).toBe('new entry');
  expect(readFileSync(join(dist, 'constructs-OLD.js'), 'utf8')).toBe('old chunk'); // a running server may still load it
  expect(readFileSync(join(dist, 'constructs-NEW.js'), 'utf8')).toBe('new chunk');
  expect(readFileSync(join(dist, 'web', 'main.js'), 'utf8')).toBe('dashboard');
  expect(existsSync(join(dist, '.built'))).toBe(true);
  expect(existsSync(join(dist, 'chunk-ANCIENT.js'))).toBe(false);
});
