// The build: bundles the CLI (and the dashboard, when web/ has one) with esbuild so that the published path
// never transpiles at run time. `npm ci` runs it (prepare), `npm start` and `npm test` run it again.
// Plain JavaScript on purpose: it must run before anything is built.
import { build } from 'esbuild';
import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DIST = `${ROOT}dist/`;

export async function buildAll({ quiet = false } = {}) {
  // Built aside, then installed into dist/ (see install).
  const out = `.dist-${process.pid}`;
  rmSync(`${ROOT}${out}`, { recursive: true, force: true });
  // Chunks sit directly in dist/, one level below the root like the sources, so `new URL('../specs/...',
  // import.meta.url)` in a source file names the same file once bundled.
  await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'cli/main.ts' },
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: quiet ? 'error' : 'warning',
  });
  if (existsSync(`${ROOT}web/main.ts`)) {
    await build({
      absWorkingDir: ROOT,
      entryPoints: ['web/main.ts'],
      outdir: `${out}/web`,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: 'linked',
      logLevel: quiet ? 'error' : 'warning',
    });
    for (const file of readdirSync(`${ROOT}web`)) {
      if (/\.(html|css|svg|ico)$/.test(file)) cpSync(`${ROOT}web/${file}`, `${ROOT}${out}/web/${file}`);
    }
  }
  install(`${ROOT}${out}/`, DIST);
  rmSync(`${ROOT}${out}`, { recursive: true, force: true });
}

/**
 * Moves a finished build into dist/ without pulling the old one from under a running control plane: its lazily
 * loaded chunks (the constructs load on the first synthesis, maybe hours after start) keep their hashed names and
 * stay until a day old. Chunks first, then the entry, then the stamp, so a bin starting meanwhile finds a whole
 * bundle, old or new.
 */
export function install(built, dist, now = Date.now()) {
  const fresh = new Set(readdirSync(built, { recursive: true }).map(String));
  const last = new Set(['main.js', 'main.js.map']);
  cpSync(built, dist, { recursive: true, filter: (source) => !last.has(source.slice(built.length)) });
  for (const file of last) if (existsSync(built + file)) cpSync(built + file, dist + file);
  writeFileSync(`${dist}.built`, `${new Date(now).toISOString()}\n`);
  const dayAgo = now - 24 * 3600_000;
  for (const file of readdirSync(dist)) {
    const path = dist + file;
    if (!fresh.has(file) && file !== '.built' && statSync(path).isFile() && statSync(path).mtimeMs < dayAgo) rmSync(path);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  await buildAll();
  console.log(`built dist/ in ${Date.now() - started} ms`);
}
