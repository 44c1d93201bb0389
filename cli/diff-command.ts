import { Option, type Command } from 'commander';
import type { PlanReport, TierPlan } from '../controller/speculative-plan.ts';
import type { Environment } from '../specs/environment.ts';
import { connect, pathOf, streamLines, withConnection, type Connection } from './client.ts';
import { EXIT, run } from './exit-codes.ts';

interface DiffOptions {
  file: string[];
  output?: 'json' | 'markdown';
}

type Line = { type: 'tier'; tier: string; phase: 'started' | 'finished'; plan?: TierPlan } | { type: 'result'; result: PlanReport } | { type: 'error'; message: string };

// `terrace diff -f <file>... [-o json|markdown]`: a speculative terraform plan of each Environment in the files
// against what is applied (POST /v1/environments/{name}/plan). Exit 0: nothing would change, 2: something would,
// 1: an error (invalid spec, a tier that could not be planned, a guardrail the change breaks).
export function registerDiff(program: Command): void {
  const command = withConnection(
    program
      .command('diff')
      .description('plan the Environments of YAML or JSON files with terraform against what is applied, changing nothing (exit 0: no changes, 2: changes, 1: error)')
      .requiredOption('-f, --file <path...>', 'YAML or JSON files with Environment documents (Targets in them are not diffed)')
      .addOption(new Option('-o, --output <format>', 'json for machines, markdown for a CI job summary').choices(['json', 'markdown'])),
  );
  command.action(run((options: DiffOptions) => diff(connect(command), options)));
}

async function diff(conn: Connection, { file, output }: DiffOptions): Promise<number> {
  const { loadFiles } = await import('./load-files.ts');
  const loaded = loadFiles(file);
  if ('problems' in loaded) {
    // No terraform runs for an invalid spec: the file is checked here, and again by the server.
    for (const p of loaded.problems) console.error(`error: ${p.path}: ${p.message}`);
    return EXIT.failed;
  }
  const environments = loaded.docs.filter((d): d is Environment => d.kind === 'Environment');
  if (environments.length === 0) throw new Error(`${file.join(', ')}: no Environment document`);
  const reports: PlanReport[] = [];
  for (const env of environments) reports.push(await planOf(conn, env, output === undefined));
  if (output === 'json') console.log(JSON.stringify({ items: reports }, null, 2));
  else if (output === 'markdown') console.log(reports.map(markdown).join('\n\n'));
  else console.log(reports.map(planText).join('\n\n'));
  if (reports.some((r) => r.failed || !r.allowed)) return EXIT.failed;
  return reports.some((r) => r.changes) ? EXIT.changes : EXIT.ok;
}

/** Streams one plan; progress goes to stderr (a terminal shows it, CI logs keep it) unless -o asks for a document. */
export async function planOf(conn: Connection, env: Environment, progress: boolean): Promise<PlanReport> {
  const name = env.metadata.name;
  let result: PlanReport | undefined;
  await streamLines(conn, 'POST', `${pathOf('Environment', name)}/plan`, env, (raw) => {
    const line = raw as Line;
    if (line.type === 'tier' && progress) console.error(line.phase === 'started' ? `${name}/${line.tier}: planning...` : `${name}/${line.tier}: ${counts(line.plan!)}`);
    if (line.type === 'error') throw new Error(`environment/${name}: ${line.message}`);
    if (line.type === 'result') result = line.result;
  });
  if (!result) throw new Error(`environment/${name}: the server ended the plan without a result`);
  return result;
}

function counts(t: TierPlan): string {
  if (t.error) return `error: ${t.error}`;
  if (t.violations.length > 0) return `${t.violations.length} guardrail violation(s)`;
  if (t.add.length + t.change.length + t.destroy.length === 0) return 'no changes';
  return `${t.add.length} to add, ${t.change.length} to change, ${t.destroy.length} to destroy`;
}

/** Terraform's own signs: + create, ~ update, - destroy, -/+ replace. */
function resourceLines(t: TierPlan): string[] {
  const replaced = new Set(t.add.filter((a) => t.destroy.includes(a)));
  return [
    ...t.add.filter((a) => !replaced.has(a)).map((a) => `+ ${a}`),
    ...t.change.map((a) => `~ ${a}`),
    ...[...replaced].map((a) => `-/+ ${a}`),
    ...t.destroy.filter((a) => !replaced.has(a)).map((a) => `- ${a}`),
  ];
}

export function planText(r: PlanReport): string {
  const total = (k: 'add' | 'change' | 'destroy') => r.tiers.reduce((n, t) => n + t[k].length, 0);
  const lines = [`environment/${r.environment}${r.new ? ' (new: nothing is applied yet)' : ''}`];
  for (const t of r.tiers) {
    lines.push(`  ${t.tier}: ${counts(t)}`);
    if (t.note) lines.push(`    (${t.note})`);
    for (const v of t.violations) lines.push(`    guardrail ${v.rule} ${v.address}: ${v.message}`);
    for (const l of resourceLines(t)) lines.push(`    ${l}`);
  }
  const verdict = r.failed ? 'some tiers could not be planned' : !r.allowed ? 'the change breaks guardrails' : r.changes ? `${total('add')} to add, ${total('change')} to change, ${total('destroy')} to destroy` : 'no changes';
  lines.push(`Plan: ${verdict}.`);
  return lines.join('\n');
}

/**
 * For `$GITHUB_STEP_SUMMARY`: a heading, then the plan as a `diff` block so + and - are coloured. The fence is longer
 * than any run of backticks in the plan (terraform's error text quotes the spec): nothing in it ends the block early
 * and renders as markdown (links, images) in the pull request's summary.
 */
export function markdown(r: PlanReport): string {
  const text = planText(r);
  const fence = '`'.repeat(Math.max(3, ...(text.match(/`+/g) ?? []).map((run) => run.length + 1)));
  return `### terrace diff: environment/${r.environment}\n\n${fence}diff\n${text}\n${fence}`;
}
