import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import { connect, request, withConnection } from './client.ts';
import { run } from './exit-codes.ts';

// `terrace dashboard`: the control plane's page, signed in. The token goes in the URL fragment, which browsers
// never send to a server; the page moves it to session storage and out of the address bar.

interface Whoami {
  name: string;
  scopes: string[];
}

/** The URL that opens the dashboard signed in with `token`. */
export function dashboardUrl(server: string, token: string): string {
  return `${server.replace(/\/+$/, '')}/#token=${encodeURIComponent(token)}`;
}

/** The desktop's "open this URL" program on PATH, if any. */
export function opener(platform: NodeJS.Platform = process.platform, path = process.env.PATH ?? ''): string | undefined {
  const name = platform === 'darwin' ? 'open' : platform === 'win32' ? undefined : 'xdg-open';
  return name && path.split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find((file) => existsSync(file));
}

function launch(program: string, url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(program, [url], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

export function registerDashboard(program: Command): void {
  const command = withConnection(
    program.command('dashboard')
      .description('open the control plane\'s dashboard in a browser, signed in with the token (or print its URL)')
      .option('--no-open', 'print the URL instead of opening a browser'),
  );
  command.action(run(async () => {
    const conn = connect(command);
    if (!conn.token) throw new Error(`no token (${conn.tokenSource}): pass one with --token or TERRACE_TOKEN`);
    // Checked first: a wrong token or server fails here with the API's reason, not later in the browser.
    const who = (await request<Whoami>(conn, 'GET', '/whoami')).body;
    const url = dashboardUrl(conn.server, conn.token);
    const program = command.opts<{ open: boolean }>().open ? opener() : undefined;
    if (program && (await launch(program, url))) {
      console.log(`opened ${conn.server}/ in your browser, signed in as ${who.name} (${who.scopes.join(', ')})`);
      return;
    }
    console.error(`the URL below holds the token of ${who.name} (${who.scopes.join(', ')}): open it, do not paste it into logs or chats`);
    console.log(url);
  }));
}
