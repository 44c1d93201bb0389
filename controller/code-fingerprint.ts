import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// This module's folder: controller/ in the sources, dist/ in the bundle (its chunks sit there, beside `.built`).
const HERE = fileURLToPath(new URL('./', import.meta.url));

/**
 * What synthesis is made of here: the bundle's chunks when running from dist/, else the sources of constructs/
 * and specs/, with the locked package versions (cdktf, the provider bindings). A stack summary saved on disk is
 * reused only under the same fingerprint: after an upgrade every tier is synthesized again, as a fix to the stacks
 * must reach environments at rest. Undefined when they cannot be read: then nothing is reused across restarts.
 */
export function codeFingerprint(): string | undefined {
  const root = join(HERE, '..');
  return existsSync(join(HERE, '.built')) ? fingerprintOf(root, ['dist'], false) : fingerprintOf(root, ['constructs', 'specs'], true);
}

export function fingerprintOf(root: string, dirs: string[], recursive: boolean): string | undefined {
  try {
    const lock = join(root, 'package-lock.json');
    if (!existsSync(lock)) return undefined;
    const hash = createHash('sha256').update(readFileSync(lock));
    let files = 0;
    for (const dir of dirs) {
      const base = join(root, dir);
      if (!existsSync(base)) continue;
      const names = (readdirSync(base, { recursive }) as string[]).filter((f) => /\.(ts|js|json)$/.test(f) && !f.endsWith('.test.ts')).sort();
      for (const file of names) {
        hash.update(`\0${dir}/${file}\0`).update(readFileSync(join(base, file)));
        files++;
      }
    }
    return files > 0 ? hash.digest('hex') : undefined;
  } catch {
    return undefined;
  }
}
