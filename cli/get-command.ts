import type { Static } from '@sinclair/typebox';
import { Option, type Command } from 'commander';
import type { EnvironmentResource, TargetResource } from '../api/schemas.ts';
import { connect, kindOf, pathOf, request, withConnection, type Connection, type Kind } from './client.ts';
import { run } from './exit-codes.ts';
import { age, conditionOf, serialize, table, type Output } from './format.ts';

type Environment = Static<typeof EnvironmentResource>;
type Target = Static<typeof TargetResource>;

interface GetOptions {
  selector?: string;
  output?: Output;
}

// `terrace get environments|targets [name] [-l selector] [-o json|yaml]`
export function registerGet(program: Command): void {
  const command = withConnection(
    program
      .command('get')
      .description('list Environments or Targets, or show one: a table, or the documents with -o')
      .argument('<kind>', 'environments or targets')
      .argument('[name]', 'just this one')
      .option('-l, --selector <selector>', 'label selector, e.g. app=chat,stage=prod')
      .addOption(new Option('-o, --output <format>', 'print the documents instead of a table').choices(['json', 'yaml'])),
  );
  command.action(run((kind: string, name: string | undefined, options: GetOptions) => get(connect(command), kindOf(kind), name, options)));
}

async function get(conn: Connection, kind: Kind, name: string | undefined, { selector, output }: GetOptions): Promise<void> {
  if (name !== undefined && selector) throw new Error('give a name or -l, not both');
  const docs = name !== undefined ? [(await request<Environment | Target>(conn, 'GET', pathOf(kind, name))).body] : await list(conn, kind, selector);
  if (output) {
    console.log(await serialize(name !== undefined ? docs[0] : { items: docs }, output));
  } else if (docs.length === 0) {
    // On stderr, like kubectl: a script reading the table sees no rows.
    console.error(`no ${kind === 'Environment' ? 'environments' : 'targets'}${selector ? ` match ${selector}` : ''}`);
  } else {
    console.log(kind === 'Environment' ? environmentTable(docs as Environment[]) : targetTable(docs as Target[]));
  }
}

/** Every page: the API answers at most `limit` documents and a `continue` token for the rest. */
export async function list(conn: Connection, kind: Kind, selector: string | undefined): Promise<(Environment | Target)[]> {
  const items: (Environment | Target)[] = [];
  let next: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '500' });
    if (selector) query.set('labelSelector', selector);
    if (next) query.set('continue', next);
    const page = (await request<{ items: (Environment | Target)[]; continue?: string }>(conn, 'GET', `${pathOf(kind)}?${query}`)).body;
    items.push(...page.items);
    next = page.continue;
  } while (next);
  return items;
}

function environmentTable(envs: Environment[]): string {
  return table(
    ['NAME', 'READY', 'REASON', 'GENERATION/OBSERVED', 'AGE'],
    envs.map((e) => {
      const ready = conditionOf(e.status.conditions, 'Ready');
      const generations = `${e.metadata.generation ?? '-'}/${e.status.observedGeneration ?? '-'}`;
      return [e.metadata.name, ready?.status ?? '-', ready?.reason ?? '-', generations, age(e.metadata.creationTimestamp)];
    }),
  );
}

function targetTable(targets: Target[]): string {
  return table(
    ['NAME', 'PROVIDER', 'ACCOUNT', 'REGION'],
    targets.map((t) => [t.metadata.name, t.spec.provider, t.spec.accountId ?? '-', t.spec.region ?? '-']),
  );
}
