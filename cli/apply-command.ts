import type { Static } from '@sinclair/typebox';
import { Option, type Command } from 'commander';
import type { AnyDocument } from '../specs/validate.ts';
import type { DryRunResult } from '../api/schemas.ts';
import { ApiError, connect, getOptional, pathOf, request, withConnection, type Connection } from './client.ts';
import { EXIT, run } from './exit-codes.ts';

interface ApplyOptions {
  file: string[];
  dryRun?: boolean;
  output?: 'json';
}

/** One document's outcome, for -o json. */
interface Outcome {
  kind: string;
  name: string;
  result?: string;
  dryRun?: Static<typeof DryRunResult> | { valid: true };
  error?: string;
}

type Stored = { metadata: { resourceVersion?: string } };

// `terrace apply -f <file>... [--dry-run]`: PUT each document, Targets before the Environments naming them.
export function registerApply(program: Command): void {
  const command = withConnection(
    program
      .command('apply')
      .description('create or update the Targets, then the Environments, of YAML or JSON files (exit 1: invalid input or a failed request, 2: a dry run breaks a guardrail)')
      .requiredOption('-f, --file <path...>', 'YAML or JSON files with Environment and Target documents')
      .option('--dry-run', 'validate, synthesize and run the guardrails on the server; store nothing')
      .addOption(new Option('-o, --output <format>', 'each document\'s outcome as JSON').choices(['json'])),
  );
  command.action(run((options: ApplyOptions) => apply(connect(command), options)));
}

async function apply(conn: Connection, { file, dryRun, output }: ApplyOptions): Promise<number> {
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
  const outcomes: Outcome[] = [];
  const log = output === 'json' ? () => undefined : (line: string) => console.log(line);
  for (const doc of ordered) {
    const ref = `${doc.kind.toLowerCase()}/${doc.metadata.name}`;
    const outcome: Outcome = { kind: doc.kind, name: doc.metadata.name };
    outcomes.push(outcome);
    try {
      if (!dryRun) {
        outcome.result = await put(conn, doc);
        log(`${ref} ${outcome.result}`);
      } else if (doc.kind === 'Target') {
        await dryRunTarget(conn, ref, doc, log);
        outcome.dryRun = { valid: true };
      } else {
        outcome.dryRun = await dryRunOf(conn, ref, doc, log);
        disallowed = !outcome.dryRun.allowed || disallowed;
      }
    } catch (err) {
      outcome.error = (err as Error).message;
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
  if (output === 'json') console.log(JSON.stringify({ items: outcomes }, null, 2));
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

/** Prints each tier's resources and guardrail result; answers the server's verdict. */
async function dryRunOf(conn: Connection, ref: string, doc: AnyDocument, log: (line: string) => void): Promise<Static<typeof DryRunResult>> {
  const { body } = await request<Static<typeof DryRunResult>>(conn, 'PUT', `${pathOf(doc.kind, doc.metadata.name)}?dryRun=true`, doc);
  const violations = body.tiers.reduce((n, t) => n + t.violations.length, 0);
  log(`${ref} (dry run): ${body.allowed ? 'allowed' : `not allowed, ${violations} guardrail violation(s)`}; nothing stored`);
  for (const t of body.tiers) {
    log(`  ${t.tier}: ${t.resources} resources, ${t.violations.length === 0 ? 'guardrails passed' : `${t.violations.length} guardrail violation(s)`}`);
    for (const v of t.violations) log(`    ${v.rule} ${v.address}: ${v.message}`);
  }
  return body;
}

async function dryRunTarget(conn: Connection, ref: string, doc: AnyDocument, log: (line: string) => void): Promise<void> {
  await request(conn, 'PUT', `${pathOf(doc.kind, doc.metadata.name)}?dryRun=true`, doc);
  log(`${ref} (dry run): valid; nothing stored`);
}
