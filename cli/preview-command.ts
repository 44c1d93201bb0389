import type { Static } from '@sinclair/typebox';
import { Option, type Command } from 'commander';
import type { EnvironmentResource } from '../api/schemas.ts';
import { EXPIRES_AT_ANNOTATION, PREVIEW_OF_LABEL } from '../specs/preview-keys.ts';
import { ApiError, connect, pathOf, request, withConnection, type Connection } from './client.ts';
import { EXIT, run } from './exit-codes.ts';
import { age, conditionOf, table } from './format.ts';
import { list } from './get-command.ts';
import { followStatus, type Status } from './watch.ts';

// `terrace preview create|list|delete|extend`: preview environments (issue 17) through the preview routes
// (api/routes/previews.ts), which apply the preview defaults, the Target's cap and the expiry on the server.

type Environment = Static<typeof EnvironmentResource>;

interface CreateOptions {
  name: string;
  ttl?: string;
  set: string[];
  target?: string;
  wait?: boolean;
  timeout: number;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerPreview(program: Command): void {
  const preview = program.command('preview').description('preview environments: cheap copies of an environment (one per pull request) that delete themselves when they expire');

  const create = withConnection(
    preview
      .command('create')
      .description('create a preview of <base-env>, or update it (its spec again from the base, its expiry --ttl from now)')
      .argument('<base-env>', 'the environment to copy')
      .requiredOption('--name <name>', 'the preview environment\'s name, e.g. pr-42')
      .option('--ttl <duration>', 'how long it lives: 30m, 72h, 7d (at most 30d; default 72h)')
      .option('--set <path=value>', 'change the preview spec at a dotted path, e.g. compute.services[0].image=ghcr.io/acme/app:pr-42 (repeatable)', collect, [])
      .option('--target <target>', 'another Target than the base environment\'s')
      .option('--wait', 'wait until it is Ready (and Verified, with spec.verify), then print its URL')
      .addOption(new Option('--timeout <seconds>', 'with --wait: give up after this long').default(1800).argParser(positive)),
  );
  create.action(run((base: string, options: CreateOptions) => createPreview(connect(create), base, options)));

  const listCommand = withConnection(preview.command('list').description('list previews with their base, age and expiry').option('--base <env>', 'only the previews of this environment'));
  listCommand.action(run((options: { base?: string }) => listPreviews(connect(listCommand), options.base)));

  const remove = withConnection(preview.command('delete').description('delete a preview now (only a preview): its tiers are destroyed, then it is removed').argument('<name>')
    .option('--ignore-not-found', 'a preview that is not there (expired, or never created) is done, not an error: for CI on a pull request\'s close'));
  remove.action(run(async (name: string, options: { ignoreNotFound?: boolean }) => {
    try {
      await request(connect(remove), 'DELETE', `${pathOf('Environment', name)}/preview`);
    } catch (err) {
      // Only "not there": a 409 (not a preview) or an auth failure still fails.
      if (!(options.ignoreNotFound && err instanceof ApiError && err.status === 404)) throw err;
      console.log(`environment/${name} not found: nothing to delete`);
      return;
    }
    console.log(`environment/${name} deleting: the controller destroys its tiers, then removes it`);
  }));

  const extend = withConnection(preview.command('extend').description('move a preview\'s expiry later by --ttl').argument('<name>').requiredOption('--ttl <duration>', 'e.g. 24h'));
  extend.action(run(async (name: string, options: { ttl: string }) => {
    const env = (await request<Environment>(connect(extend), 'POST', `${pathOf('Environment', name)}/preview/extend`, { ttl: options.ttl })).body;
    console.log(`environment/${name} expires at ${expiryOf(env)}`);
  }));
}

async function createPreview(conn: Connection, base: string, options: CreateOptions): Promise<number> {
  const body = { name: options.name, set: options.set, ...(options.ttl ? { ttl: options.ttl } : {}), ...(options.target ? { target: options.target } : {}) };
  const { status, body: env } = await request<Environment>(conn, 'POST', `${pathOf('Environment', base)}/previews`, body);
  console.log(`environment/${options.name} ${status === 201 ? 'created' : 'updated'} as a preview of ${base}, expires at ${expiryOf(env)}`);
  if (!options.wait) return EXIT.ok;
  const generation = env.metadata.generation;
  const settled = await followStatus(conn, options.name, (s) => readyAt(s, generation) || stalled(s), AbortSignal.timeout(options.timeout * 1000)).catch((err) => {
    throw new Error(`environment/${options.name}: ${(err as Error).name === 'TimeoutError' ? `not Ready within ${options.timeout} s` : (err as Error).message}`);
  });
  if (!readyAt(settled, generation)) {
    const why = conditionOf(settled.conditions, 'Stalled') ?? conditionOf(settled.conditions, 'Ready');
    console.error(`environment/${options.name} is not Ready: ${why?.reason ?? ''} ${why?.message ?? ''}`.trimEnd());
    return EXIT.failed;
  }
  console.log(`environment/${options.name} Ready${env.spec.verify ? ' and Verified' : ''}`);
  // Its own line, for scripts (the GitHub Actions example comments it on the pull request).
  const url = publicUrl(env, settled);
  if (url) console.log(`url: ${url}`);
  else console.log('no public URL: no domain, verify.baseUrl or load balancer output');
  return EXIT.ok;
}

// Ready is True only once Verified is, when spec.verify declares checks.
const readyAt = (s: Status, generation: number | undefined) =>
  (generation === undefined || (s.observedGeneration ?? 0) >= generation) && conditionOf(s.conditions, 'Ready')?.status === 'True';
const stalled = (s: Status) => conditionOf(s.conditions, 'Stalled')?.status === 'True';

/** Where people open it: what verify checks, else the domain, else the addresses the tiers report. */
export function publicUrl(env: Pick<Environment, 'spec'>, status: Pick<Status, 'tiers'>): string | undefined {
  const { spec } = env;
  if (spec.verify?.baseUrl) return spec.verify.baseUrl;
  if (spec.compute?.domain) return `https://${spec.compute.domain.name}`;
  if (spec.frontend?.domain) return `https://${spec.frontend.domain.name}`;
  const output = (tier: string, key: string) => {
    const value = status.tiers[tier]?.outputs?.[key];
    return typeof value === 'string' ? `https://${value}` : undefined;
  };
  return output('frontend', 'distributionDomainName') ?? output('compute', 'albDnsName');
}

async function listPreviews(conn: Connection, base: string | undefined): Promise<void> {
  const previews = ((await list(conn, 'Environment', base ? `${PREVIEW_OF_LABEL}=${base}` : undefined)) as Environment[])
    .filter((e) => e.metadata.annotations?.[EXPIRES_AT_ANNOTATION] !== undefined);
  if (previews.length === 0) {
    console.error(`no previews${base ? ` of ${base}` : ''}`);
    return;
  }
  const now = Date.now();
  console.log(table(['NAME', 'BASE', 'TARGET', 'READY', 'AGE', 'EXPIRES'], previews.map((e) => [
    e.metadata.name,
    e.metadata.labels?.[PREVIEW_OF_LABEL] ?? '-',
    e.spec.target,
    e.metadata.deletionTimestamp ? 'Deleting' : conditionOf(e.status.conditions, 'Ready')?.status ?? 'Unknown',
    age(e.metadata.creationTimestamp, now),
    expiresText(expiryOf(e), now),
  ])));
}

const expiryOf = (env: Pick<Environment, 'metadata'>) => env.metadata.annotations?.[EXPIRES_AT_ANNOTATION] ?? '-';

function expiresText(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return at <= now ? `${iso} (expired)` : `${iso} (in ${age(new Date(now - (at - now)).toISOString(), now)})`;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number of seconds: ${value}`);
  return n;
}
