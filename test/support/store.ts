import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../specs/store/index.ts';
import { parseEnvironment } from '../../specs/validate.ts';
import type { Environment } from '../../specs/environment.ts';

/** A real store on an in-memory embedded DynamoDB (dynalite), with the local Target registered. */
export async function openTestStore(options: { dataDir?: string; onSpecWrite?: (kind: string, name: string) => void } = {}): Promise<Store> {
  return (await openStore({ dataDir: options.dataDir, onSpecWrite: options.onSpecWrite })).store;
}

export function tempDir(prefix = 'terrace-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A small valid environment on the local target; `spec` overrides merge on top. */
export function environment(name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): Environment {
  return parseEnvironment({
    apiVersion: 'terrace.dev/v1alpha1',
    kind: 'Environment',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { target: 'local', network: { cidr: '10.0.0.0/16' }, ...spec },
  });
}
