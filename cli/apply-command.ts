import type { Static } from '@sinclair/typebox';
import type { Command } from 'commander';
import type { AnyDocument } from '../specs/validate.ts';
import type { DryRunResult } from '../api/schemas.ts';
import { ApiError, connect, getOptional, pathOf, request, withConnection, type Connection } from './client.ts';
import { EXIT, run } from './exit-codes.ts';

interface ApplyOptions {
  file: string[];
  dryRun?: boolean;
}

type Stored = { metadata: { resourceVersion?: string } };

// `terrace apply -f <file>... [--dry-run]`: PUT each document, Targets before the Environments naming them.
export function registerApply(program: Command): void {
  const command = withConnection(
    program
      .command('apply')
      .description('create or update the Targets, then the Environments, of YAML or JSON files (exit 1: invalid input or a failed request, 2: a dry run breaks a guardrail)')
      .requiredOption('-f, --file <path...>', 'YAML or JSON files with Environment and Target documents')
      .option('--dry-run', 'validate, synthesize and run the guardrails on the server; store nothing'),
  );
  command.action(run((options: ApplyOptions) => apply(connect(command), options)));
}

async function apply(conn: Connection, { file, dryRun }: ApplyOptions): Promise<number> {
  const { loadFiles } = await import('./load-files.ts');
  const loaded = loadFiles(file);
  if ('problems' in loaded) {
    // Nothing is sent when any document is invalid: a half-applied file is harder to reason about.
    for (const p of loaded.problems) console.error(`error: ${p.path}: ${p.message}`);
    return EXIT.failed;
  }
  if (loaded.docs.length === 0) {
    console.error(`error: ${file.join(', ')}: no documents`);
    return EXIT.failed;
  }
  const targets = loaded.docs.filter((d) => d.kind === 'Target');
  const ordered = [...targets, ...loaded.docs.filter((d) => d.kind === 'Environment')];
  let failed = false;
  let disallowed = false;
  for (const doc of ordered) {
    const ref = `${doc.kind.toLowerCase()}/${doc.metadata.name}`;
    try {
      if (!dryRun) console.log(`${ref} ${await put(conn, doc)}`);
      else if (doc.kind === 'Target') await dryRunTarget(conn, ref, doc);
      else disallowed = !(await dryRunOf(conn, ref, doc)) || disallowed;
    } catch (err) {
      // Without a server or a usable token every other document would fail the same way.
      if (!(err instanceof ApiError) || err.status === 401 || err.status === 403) throw new Error(`${ref}: ${(err as Error).message}`);
      console.error(`error: ${ref}: ${err.message}`);
      // The server dry-runs against its stored Target; one that exists only in these files is not there yet.
      if (dryRun && doc.kind === 'Environment' && err.status === 422 && targets.some((t) => t.metadata.name === doc.spec.target)) {
        console.error(`  target/${doc.spec.target} is only in the given files: apply it first, a dry run uses the stored Target`);
      }
      failed = true;
    }
  }
  return failed ? EXIT.failed : disallowed ? EXIT.guardrail : EXIT.ok;
}

/** created, configured, or unchanged when the PUT left the resourceVersion where it was. */
async function put(conn: Connection, doc: AnyDocument): Promise<string> {
  const path = pathOf(doc.kind, doc.metadata.name);
  const before = await getOptional<Stored>(conn, path);
  const { status, body } = await request<Stored>(conn, 'PUT', path, doc);
  if (status === 201) return 'created';
  return before && body.metadata.resourceVersion === before.metadata.resourceVersion ? 'unchanged' : 'configured';
}

/** Prints each tier's resources and guardrail result; true when the server would allow the environment. */
async function dryRunOf(conn: Connection, ref: string, doc: AnyDocument): Promise<boolean> {
  const { body } = await request<Static<typeof DryRunResult>>(conn, 'PUT', `${pathOf(doc.kind, doc.metadata.name)}?dryRun=true`, doc);
  const violations = body.tiers.reduce((n, t) => n + t.violations.length, 0);
  console.log(`${ref} (dry run): ${body.allowed ? 'allowed' : `not allowed, ${violations} guardrail violation(s)`}; nothing stored`);
  for (const t of body.tiers) {
    console.log(`  ${t.tier}: ${t.resources} resources, ${t.violations.length === 0 ? 'guardrails passed' : `${t.violations.length} guardrail violation(s)`}`);
    for (const v of t.violations) console.log(`    ${v.rule} ${v.address}: ${v.message}`);
  }
  return body.allowed;
}

async function dryRunTarget(conn: Connection, ref: string, doc: AnyDocument): Promise<void> {
  await request(conn, 'PUT', `${pathOf(doc.kind, doc.metadata.name)}?dryRun=true`, doc);
  console.log(`${ref} (dry run): valid; nothing stored`);
}
