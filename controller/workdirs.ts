import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STACK_FILE = 'cdk.tf.json';
const INIT_MARKER = '.terrace-init';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Persistent terraform working directories, `<root>/<environment>/<tier>/`, kept between runs so that
 * `init` runs only when the directory is new or the providers/backend changed.
 */
export class WorkDirs {
  constructor(readonly root: string) {}

  dir(environment: string, tier: string): string {
    return join(this.root, environment, tier);
  }

  /** Writes the stack when it differs; tells whether `terraform init` is needed first. */
  prepare(environment: string, tier: string, json: string): { dir: string; needsInit: boolean; initKey: string } {
    const dir = this.dir(environment, tier);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, STACK_FILE);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== json) writeFileSync(file, json);
    const initKey = sha256(JSON.stringify((JSON.parse(json) as { terraform?: unknown }).terraform ?? {}));
    const marker = join(dir, INIT_MARKER);
    const needsInit = !existsSync(marker) || readFileSync(marker, 'utf8') !== initKey;
    return { dir, needsInit, initKey };
  }

  markInitialized(dir: string, initKey: string): void {
    writeFileSync(join(dir, INIT_MARKER), initKey);
  }

  /** The stack last written for a tier, to destroy it when the spec no longer says how to build it. */
  lastStack(environment: string, tier: string): string | undefined {
    const file = join(this.dir(environment, tier), STACK_FILE);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  removeTier(environment: string, tier: string): void {
    rmSync(this.dir(environment, tier), { recursive: true, force: true });
  }

  remove(environment: string): void {
    rmSync(join(this.root, environment), { recursive: true, force: true });
  }
}
