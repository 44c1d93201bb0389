import type { Static } from '@sinclair/typebox';
import { Option, type Command } from 'commander';
import type { EnvironmentResource } from '../api/schemas.ts';
import type { Environment } from '../specs/environment.ts';
import { ApiError, connect, pathOf, request, withConnection, type Connection } from './client.ts';
import { planOf, planText } from './diff-command.ts';
import { EXIT, run } from './exit-codes.ts';

type Stored = Static<typeof EnvironmentResource>;
type Json = Record<string, unknown>;

interface PromoteOptions {
  set: string[];
  yes?: boolean;
  output?: 'json';
}

// `terrace promote <from> <to> [--set path=value ...] [--yes]`: the spec of <from> (images, services, every
// setting) becomes <to>'s, except what names <to> itself: its target, every domain and certificate field, its
// verify URLs, its approval mode and suspend flag, and what would replace or expose its data (OWN_PATHS). `--set` then overrides single fields. The plan is shown
// (the same as `terrace diff`) and applied on confirmation, with If-Match of <to> as it was read.

/** Keys whose values belong to the destination wherever they sit: domains and certificates. */
const OWN_KEY = /domain|certificate/i;
/**
 * Fields of the destination kept as they are: where it runs, how it is approved, what its checks call, and what
 * would replace or expose its data: its network (staging's CIDR would replace prod's VPC and all in it), its
 * database's deletion protection and backups, its observability (alarm recipients, retention).
 */
const OWN_PATHS = [
  ['target'], ['approval'], ['suspend'], ['verify', 'baseUrl'], ['verify', 'frontendUrl'],
  ['network'], ['data', 'postgres', 'deletionProtection'], ['data', 'postgres', 'backupRetentionDays'], ['observability'],
];

export function registerPromote(program: Command): void {
  const command = withConnection(
    program
      .command('promote')
      .description("copy one Environment's spec onto another, keeping the destination's target, domains, certificates, verify URLs and approval; show the plan, apply on confirmation (exit 1: error, refused, or not confirmed)")
      .argument('<from>', 'the environment whose spec is promoted, e.g. staging')
      .argument('<to>', 'the environment that receives it, e.g. prod (it must exist)')
      .option('--set <path=value...>', 'then set these fields of the result, e.g. compute.services[0].desiredCount=4', (v: string, all: string[]) => [...all, v], [] as string[])
      .option('-y, --yes', 'apply without asking (CI: the gate is the pipeline\'s, e.g. a GitHub environment with reviewers)')
      .addOption(new Option('-o, --output <format>', 'print the plan and the outcome as JSON').choices(['json'])),
  );
  command.action(run((from: string, to: string, options: PromoteOptions) => promote(connect(command), from, to, options)));
}

async function promote(conn: Connection, from: string, to: string, { set, yes, output }: PromoteOptions): Promise<number> {
  if (from === to) throw new Error('promote an environment onto another one, not onto itself');
  const source = (await request<Stored>(conn, 'GET', pathOf('Environment', from))).body;
  const dest = await request<Stored>(conn, 'GET', pathOf('Environment', to)).then((r) => r.body, (err) => {
    if (err instanceof ApiError && err.status === 404) throw new Error(`environment/${to} does not exist: create it first (terrace apply), promote keeps its target and domains`);
    throw err;
  });
  const { applySetExpressions } = await import('../specs/set-path.ts');
  const merged = promotedSpec(source.spec as unknown as Json, dest.spec as unknown as Json);
  const { spec, problems } = applySetExpressions(merged, set, 'set');
  if (problems.length > 0) {
    for (const p of problems) console.error(`error: --set ${p.path.replace(/^set/, '')}: ${p.message}`);
    return EXIT.failed;
  }
  const doc = { apiVersion: dest.apiVersion, kind: 'Environment', metadata: { name: to, labels: dest.metadata.labels, annotations: dest.metadata.annotations }, spec } as unknown as Environment;
  if (JSON.stringify(sorted(spec)) === JSON.stringify(sorted(dest.spec))) {
    return done(output, { promoted: false, message: `environment/${to} already has the spec of environment/${from}: nothing to promote` });
  }
  const plan = await planOf(conn, doc, output === undefined);
  if (output === undefined) console.log(planText(plan));
  if (plan.failed || !plan.allowed) return done(output, { promoted: false, plan, error: `not promoted: ${plan.failed ? 'some tiers could not be planned' : 'the change breaks guardrails'}` });
  if (!yes) {
    if (!process.stdin.isTTY) return done(output, { promoted: false, plan, error: 'not promoted: no terminal to confirm on; pass --yes to apply' });
    if (!(await confirm(`promote environment/${from} to environment/${to}? [y/N] `))) return done(output, { promoted: false, plan, error: 'not promoted: not confirmed' });
  }
  // If-Match: a change made to <to> since it was read (and planned) fails the write rather than being overwritten.
  const written = await request<Stored>(conn, 'PUT', pathOf('Environment', to), doc, { 'if-match': `"${dest.metadata.resourceVersion}"` }).catch((err) => {
    if (err instanceof ApiError && err.status === 412) throw new Error(`environment/${to} changed since it was read: run promote again to see the new plan`);
    throw err;
  });
  return done(output, { promoted: true, plan, message: `environment/${to} configured from environment/${from} (generation ${written.body.metadata.generation})`, generation: written.body.metadata.generation });
}

/** The source's spec with the destination's own fields (see OWN_KEY, OWN_PATHS) put back. */
export function promotedSpec(source: Json, dest: Json): Json {
  const out = keepOwn(structuredClone(source), dest) as Json;
  for (const path of OWN_PATHS) {
    const value = at(dest, path);
    const parent = path.slice(0, -1).reduce<Json | undefined>((node, k) => node?.[k] as Json | undefined, out);
    if (value === undefined) {
      if (parent) delete parent[path[path.length - 1]];
    } else if (parent) parent[path[path.length - 1]] = structuredClone(value);
  }
  return out;
}

/** Walks the copy and the destination side by side: a domain or certificate key takes the destination's value, or goes. */
function keepOwn(node: unknown, dest: unknown): unknown {
  if (Array.isArray(node)) return node.map((item, i) => keepOwn(item, Array.isArray(dest) ? dest[i] : undefined));
  if (typeof node !== 'object' || node === null) return node;
  const d = (typeof dest === 'object' && dest !== null ? dest : {}) as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (OWN_KEY.test(k)) continue;
    out[k] = keepOwn(v, d[k]);
  }
  for (const [k, v] of Object.entries(d)) if (OWN_KEY.test(k)) out[k] = structuredClone(v);
  return out;
}

const at = (node: Json, path: string[]) => path.reduce<unknown>((n, k) => (n as Json | undefined)?.[k], node);

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Json)[k])]));
}

async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

type Outcome = { promoted: boolean; plan?: unknown; message?: string; error?: string; generation?: number };

function done(output: 'json' | undefined, outcome: Outcome): number {
  if (output === 'json') console.log(JSON.stringify(outcome, null, 2));
  else if (outcome.error) console.error(`error: ${outcome.error}`);
  else console.log(outcome.message);
  return outcome.error ? EXIT.failed : EXIT.ok;
}
