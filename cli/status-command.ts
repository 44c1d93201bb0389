import type { Static } from '@sinclair/typebox';
import { Option, type Command } from 'commander';
import type { StatusView } from '../api/schemas.ts';
import { connect, pathOf, request, withConnection, type Connection } from './client.ts';
import { run } from './exit-codes.ts';
import { age, conditionOf, table } from './format.ts';

type Status = Static<typeof StatusView>;

// `terrace status <environment>`: what the controller last reported, environment and tiers.
export function registerStatus(program: Command): void {
  const command = withConnection(
    program
      .command('status')
      .description('conditions of an Environment and the state of each tier')
      .argument('<environment>', 'environment name')
      .addOption(new Option('-o, --output <format>', 'the status as JSON').choices(['json'])),
  );
  command.action(run((name: string, options: { output?: 'json' }) => status(connect(command), name, options)));
}

async function status(conn: Connection, name: string, { output }: { output?: 'json' }): Promise<void> {
  const view = (await request<Status>(conn, 'GET', `${pathOf('Environment', name)}/status`)).body;
  if (output === 'json') {
    console.log(JSON.stringify(view, null, 2));
    return;
  }
  console.log(`environment/${name}: generation ${view.generation}, observed ${view.observedGeneration ?? '-'}\n`);
  if (view.conditions.length === 0) console.log('no conditions yet: the controller has not reconciled it');
  else console.log(table(['CONDITION', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'], view.conditions.map((c) => [c.type, c.status, c.reason, age(c.lastTransitionTime), c.message])));

  // Apply order, so a dependency reads above the tiers that wait on it.
  const { TIERS } = await import('../specs/environment.ts');
  const rank = (tier: string) => {
    const i = (TIERS as readonly string[]).indexOf(tier);
    return i < 0 ? TIERS.length : i;
  };
  const tiers = Object.entries(view.tiers).sort(([a], [b]) => rank(a) - rank(b));
  if (tiers.length === 0) return;
  const rows = tiers.map(([tier, s]) => {
    // A failed database setup (data tier) outranks its applied stack: the apps cannot use the database yet.
    const setup = conditionOf(s.conditions, 'DatabaseReady');
    const ready = setup?.status === 'False' ? setup : conditionOf(s.conditions, 'Ready');
    const plan = s.lastPlan ? `${s.lastPlan.add}/${s.lastPlan.change}/${s.lastPlan.destroy}` : '-';
    return [tier, ready?.status ?? '-', ready?.reason ?? '-', s.lastAppliedAt ? `${age(s.lastAppliedAt)} ago` : '-', plan];
  });
  console.log(`\n${table(['TIER', 'READY', 'REASON', 'LAST APPLIED', 'LAST PLAN (ADD/CHANGE/DESTROY)'], rows)}`);
  // The message says what blocks the tier, e.g. the plan id an approval needs.
  for (const [tier, s] of tiers) {
    const setup = conditionOf(s.conditions, 'DatabaseReady');
    const ready = setup?.status === 'False' ? setup : conditionOf(s.conditions, 'Ready');
    if (ready?.status !== 'True') console.log(`${tier}: ${ready?.message ?? 'not reconciled yet'}`);
  }
}
