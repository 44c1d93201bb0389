import { Option, type Command } from 'commander';
import { connect, kindOf, pathOf, request, withConnection, type Connection } from './client.ts';
import { run } from './exit-codes.ts';

// One-shot verbs: each is one request; the API answers 202 and the controller acts on it.

type Act = (conn: Connection, ...args: string[]) => Promise<string>;

function verb(program: Command, usage: string, description: string, act: Act): void {
  const command = withConnection(program.command(usage).description(description))
    .addOption(new Option('-o, --output <format>', 'the outcome as JSON').choices(['json']));
  command.action(
    run(async (...args: unknown[]) => {
      // commander passes the declared arguments, then the options and the command itself.
      const given = args.slice(0, command.registeredArguments.length) as string[];
      const message = await act(connect(command), ...given);
      const { output } = command.opts<{ output?: 'json' }>();
      console.log(output === 'json' ? JSON.stringify({ command: command.name(), arguments: given, message }) : message);
    }),
  );
}

const envPath = (name: string) => pathOf('Environment', name);

export function registerOperations(program: Command): void {
  verb(program, 'approve <environment> <planId>', 'apply the plan a tier waits on (spec.approval: manual; `terrace status` shows the plan id)', async (conn, name, planId) => {
    await request(conn, 'POST', `${envPath(name)}/approve`, { planId });
    return `environment/${name}: plan ${planId} approved`;
  });
  verb(program, 'reconcile <environment>', 'reconcile an Environment now instead of at the next resync', async (conn, name) => {
    await request(conn, 'POST', `${envPath(name)}/reconcile`);
    return `environment/${name}: reconcile requested`;
  });
  verb(program, 'suspend <environment>', 'stop reconciling an Environment (spec.suspend = true)', async (conn, name) => {
    await request(conn, 'POST', `${envPath(name)}/suspend`);
    return `environment/${name} suspended`;
  });
  verb(program, 'resume <environment>', 'reconcile a suspended Environment again', async (conn, name) => {
    await request(conn, 'POST', `${envPath(name)}/resume`);
    return `environment/${name} resumed`;
  });
  verb(program, 'delete <kind> <name>', 'delete an Environment (its tiers are destroyed first) or a Target no environment uses', async (conn, word, name) => {
    const kind = kindOf(word);
    await request(conn, 'DELETE', pathOf(kind, name));
    return kind === 'Environment' ? `environment/${name} deleting: the controller destroys its tiers, then removes it` : `target/${name} deleted`;
  });
}
