import { runBash } from './cli.ts';
import { parse } from 'yaml';

// Runs a GitHub Actions job's `run` steps the way the runner does (bash -eo pipefail, the job's and step's env,
// `${{ }}` expressions and `if:` conditions evaluated against a given context), so tests execute the commands a
// workflow file really contains. Only the expression forms the examples use are understood; anything else throws,
// so a workflow edited beyond them fails its test instead of being run wrongly. `uses:` steps are reported, not run.

export interface Context {
  github: Record<string, unknown>;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
}

export interface StepRun {
  name: string;
  /** `skipped`: its `if:` was false; `uses`: an action, not run here. */
  outcome: 'ran' | 'skipped' | 'uses';
  code?: number | null;
  stdout?: string;
  stderr?: string;
}

interface Step { name?: string; if?: string; run?: string; uses?: string; env?: Record<string, string> }
interface Job { if?: string; env?: Record<string, string>; steps: Step[] }

export function workflowJob(yamlText: string, job: string): Job {
  const workflow = parse(yamlText) as { jobs?: Record<string, Job> };
  const found = workflow.jobs?.[job];
  if (!found) throw new Error(`the workflow has no job ${job}`);
  return found;
}

/** A path into the context (`github.event.pull_request.number`), or a quoted literal. */
function value(expr: string, ctx: Context, env: Record<string, string>): unknown {
  const text = expr.trim();
  const literal = /^'((?:[^']|'')*)'$/.exec(text);
  if (literal) return literal[1].replace(/''/g, "'");
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$/.test(text)) throw new Error(`expression not understood here: ${text}`);
  const [root, ...rest] = text.split('.');
  const scopes: Record<string, unknown> = { github: ctx.github, vars: ctx.vars ?? {}, secrets: ctx.secrets ?? {}, env };
  if (!(root in scopes)) throw new Error(`unknown context ${root} in ${text}`);
  return rest.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], scopes[root]);
}

/** `a == 'x'`, `a != 'x'`, a bare path, joined by `&&` (no `||`, no parentheses). */
export function evaluateIf(condition: string | undefined, ctx: Context, env: Record<string, string> = {}): boolean {
  if (condition === undefined) return true;
  const expr = condition.trim().replace(/^\$\{\{(.*)\}\}$/s, '$1');
  if (/\|\||[()]/.test(expr)) throw new Error(`condition not understood here: ${condition}`);
  return expr.split('&&').every((term) => {
    const m = /^(.*?)\s*(==|!=)\s*(.*)$/.exec(term.trim());
    if (!m) return Boolean(value(term, ctx, env));
    const equal = String(value(m[1], ctx, env)) === String(value(m[3], ctx, env));
    return m[2] === '==' ? equal : !equal;
  });
}

export function substitute(text: string, ctx: Context, env: Record<string, string> = {}): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expr: string) => String(value(expr, ctx, env) ?? ''));
}

/**
 * Runs the job's steps in order in `cwd`, with `baseEnv` (PATH and the like) under the job's env; stops at the
 * first step that fails, as the runner does.
 */
export async function runJob(job: Job, ctx: Context, options: { cwd: string; baseEnv: NodeJS.ProcessEnv; boundMs: number }): Promise<StepRun[]> {
  if (!evaluateIf(job.if, ctx)) return [];
  const jobEnv = Object.fromEntries(Object.entries(job.env ?? {}).map(([k, v]) => [k, substitute(String(v), ctx)]));
  const runs: StepRun[] = [];
  for (const [i, step] of job.steps.entries()) {
    const name = step.name ?? step.uses ?? `step ${i}`;
    if (step.uses) {
      runs.push({ name, outcome: 'uses' });
      continue;
    }
    const stepEnv = { ...jobEnv, ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), ctx, jobEnv)])) };
    if (!evaluateIf(step.if, ctx, stepEnv)) {
      runs.push({ name, outcome: 'skipped' });
      continue;
    }
    const result = await runBash(substitute(step.run ?? '', ctx, stepEnv), { ...options.baseEnv, ...stepEnv }, options.cwd, options.boundMs);
    runs.push({ name, outcome: 'ran', ...result });
    if (result.code !== 0) break;
  }
  return runs;
}
