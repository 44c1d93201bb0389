import type { Static } from '@sinclair/typebox';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { EventSchema } from '../api/schemas.ts';
import { ApiError, connect, pathOf, request, withConnection, type Connection } from './client.ts';
import { run } from './exit-codes.ts';
import { eventTable } from './describe-command.ts';
import { watchEnvironment } from './watch.ts';

type Event = Static<typeof EventSchema>;

interface EventsOptions {
  watch?: boolean;
  limit: number;
  output?: 'json';
}

// `terrace events <environment> [--watch] [--limit N] [-o json]`: the run history, oldest first so that --watch
// appends. --watch follows the watch stream and reads the events again at each change of the status (events are
// written with it): nothing polls.
export function registerEvents(program: Command): void {
  const command = withConnection(
    program
      .command('events')
      .description('the run history of an Environment (plans, applies, failures, verifications), oldest first; --watch follows it')
      .argument('<environment>', 'environment name')
      .option('-w, --watch', 'keep printing events as they happen (until the environment is deleted or Ctrl-C)')
      .addOption(new Option('--limit <n>', 'at most this many of the latest events').default(50).argParser(count))
      .addOption(new Option('-o, --output <format>', 'JSON: {items} or, with --watch, one event per line').choices(['json'])),
  );
  command.action(run((name: string, options: EventsOptions) => events(connect(command), name, options)));
}

async function events(conn: Connection, name: string, { watch, limit, output }: EventsOptions): Promise<void> {
  const latest = async (n: number) =>
    (await request<{ items: Event[] }>(conn, 'GET', `${pathOf('Environment', name)}/events?limit=${n}`)).body.items.reverse();
  const first = await latest(limit);
  if (!watch) {
    if (output === 'json') console.log(JSON.stringify({ items: first }, null, 2));
    else if (first.length === 0) console.error(`no events for environment/${name}`);
    else console.log(eventTable(first));
    return;
  }
  const seen = new Set<string>();
  const print = (list: Event[]) => {
    for (const e of list) {
      const key = e.id ?? `${e.time}|${e.tier}|${e.action}|${e.outcome}`;
      if (seen.has(key)) continue;
      seen.add(key);
      console.log(output === 'json' ? JSON.stringify(e) : line(e));
    }
  };
  print(first);
  let following = false;
  for (;;) {
    try {
      for await (const change of watchEnvironment(conn, name, new AbortController().signal)) {
        if (!following) console.error(`environment/${name}: following its events (Ctrl-C to stop)`);
        following = true;
        if (change.deleted) {
          console.error(`environment/${name} was deleted`);
          return;
        }
        print(await latest(Math.max(limit, 20)));
      }
    } catch (err) {
      if (err instanceof ApiError) throw err;
    }
    // The stream ended or the server went away (a restart): follow it again; events seen are not repeated.
    console.error(`environment/${name}: the watch ended; following it again in 1 s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function line(e: Event): string {
  const changes = e.changes ? ` (+${e.changes.add} ~${e.changes.change} -${e.changes.destroy})` : '';
  return `${e.time}  ${(e.tier ?? '-').padEnd(13)}  ${e.action.padEnd(10)}  ${e.outcome.padEnd(9)}  ${(e.message ?? '').split('\n')[0]}${changes}`;
}

function count(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('a whole number from 1 to 500');
  return n;
}
