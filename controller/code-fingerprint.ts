import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Sources and bundle chunks both sit one level below the root.
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SOURCES = ['constructs', 'specs', 'dist'];

/**
 * What synthesis is made of here: the sources of constructs/ and specs/ (or the bundle), and the locked package
 * versions (cdktf, the provider bindings). A stack summary saved on disk is reused only under the same
 * fingerprint: after an upgrade every tier is synthesized again, as a fix to the stacks must reach environments
 * at rest. Undefined when the sources cannot be read: then nothing is reused across restarts.
 */
export function codeFingerprint(root = ROOT): string | undefined {
  try {
    const hash = createHash('sha256');
    const lock = join(root, 'package-lock.json');
    if (!existsSync(lock)) return undefined;
    hash.update(readFileSync(lock));
    let files = 0;
    for (const dir of SOURCES) {
      const base = join(root, dir);
      if (!existsSync(base)) continue;
      for (const file of (readdirSync(base, { recursive: true }) as string[]).filter((f) => /\.(ts|js|mjs|json)$/.test(f) && !/\.test\.ts$/.test(f) && !f.includes('node_modules')).sort()) {
        hash.update(`\0${dir}/${file}\0`);
        hash.update(readFileSync(join(base, file)));
        files++;
      }
    }
    return files > 0 ? hash.digest('hex') : undefined;
  } catch {
    return undefined;
  }
}
