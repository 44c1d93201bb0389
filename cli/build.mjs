// The build: bundles the CLI (and the dashboard, when web/ has one) with esbuild so that the published path
// never transpiles at run time. `npm ci` runs it (prepare), `npm start` and `npm test` run it again.
// Plain JavaScript on purpose: it must run before anything is built.
import { build } from 'esbuild';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DIST = `${ROOT}dist/`;

export async function buildAll({ quiet = false } = {}) {
  // Built aside and swapped in, so a bin starting meanwhile finds the old bundle or the new one, whole.
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
  writeFileSync(`${ROOT}${out}/.built`, `${new Date().toISOString()}\n`);
  const old = `${ROOT}.dist-old-${process.pid}`;
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(`${ROOT}${out}`, DIST);
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  await buildAll();
  console.log(`built dist/ in ${Date.now() - started} ms`);
}
