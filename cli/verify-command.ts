import { Option, type Command } from 'commander';
import type { Environment } from '../specs/environment.ts';
import type { CheckOutcome } from '../specs/verify.ts';
import { connect, pathOf, request, withConnection, type Connection } from './client.ts';
import { EXIT, run } from './exit-codes.ts';
import { table } from './format.ts';
import { list } from './get-command.ts';
import { followStatus, type Status } from './watch.ts';

// `terrace verify <environment> | -l selector`: asks the controller to run spec.verify now (operate scope),
// follows the watch stream until a run newer than the request is reported, prints it, exits 1 on a failure.

interface VerifyOptions {
  selector?: string;
  timeout: number;
  output?: 'json';
}

interface Report {
  name: string;
  status?: Status;
  /** Why no report came: the timeout, or an error. */
  missing?: string;
}

export function registerVerify(program: Command): void {
  const command = withConnection(
    program
      .command('verify')
      .description('run the checks of spec.verify now and print the report (exit 1 when any fails)')
      .argument('[environment]', 'environment name')
      .option('-l, --selector <selector>', 'every environment matching the label selector, e.g. app=dispatch')
      .addOption(new Option('--timeout <seconds>', 'give up waiting after this long').default(600).argParser(positive))
      .addOption(new Option('-o, --output <format>', 'each report as JSON: the Verified condition and the run').choices(['json'])),
  );
  command.action(run((name: string | undefined, options: VerifyOptions) => verify(connect(command), name, options)));
}

async function verify(conn: Connection, name: string | undefined, { selector, timeout, output }: VerifyOptions): Promise<number> {
  if ((name === undefined) === (selector === undefined)) throw new Error('give an environment name or -l <selector>, one of them');
  const names = name !== undefined ? [name] : (await list(conn, 'Environment', selector)).map((e) => e.metadata.name);
  if (names.length === 0) throw new Error(`no environments match ${selector}`);
  const deadline = AbortSignal.timeout(timeout * 1000);
  const reports = await Promise.all(names.map((n) => verifyOne(conn, n, deadline, timeout)));
  if (output === 'json') {
    const items = reports.map((r) => ({ name: r.name, verified: r.status && verified(r.status), verification: r.status?.verification, missing: r.missing }));
    console.log(JSON.stringify({ items }, null, 2));
  } else if (name !== undefined) console.log(detail(reports[0]));
  else console.log(rows(reports));
  return reports.every((r) => r.status && passed(r.status)) ? EXIT.ok : EXIT.failed;
}

async function verifyOne(conn: Connection, name: string, deadline: AbortSignal, timeout: number): Promise<Report> {
  try {
    const { ANNOTATIONS } = await import('../specs/meta.ts');
    const env = (await request<Environment>(conn, 'POST', `${pathOf('Environment', name)}/verify`)).body;
    const requestedAt = Date.parse(env.metadata.annotations![ANNOTATIONS.verifyRequestedAt]);
    const status = await followStatus(conn, name, (s) => !!s.verification && Date.parse(s.verification.ranAt) >= requestedAt, deadline);
    return { name, status };
  } catch (err) {
    const why = deadline.aborted ? `no verification reported within ${timeout} s (is the controller running, and are the tiers Ready?)` : (err as Error).message;
    return { name, missing: why };
  }
}

const passed = (s: Status) => s.verification!.passed;
const verified = (s: Status) => s.conditions.find((c) => c.type === 'Verified');

function detail(report: Report): string {
  if (!report.status) throw new Error(`environment/${report.name}: ${report.missing}`);
  const v = report.status.verification!;
  const cond = verified(report.status);
  const head = `environment/${report.name}: Verified ${cond?.status ?? '-'} (${cond?.reason ?? '-'}), ran at ${v.ranAt} in ${(v.durationMs / 1000).toFixed(1)} s`;
  const checks = v.checks.map((c) => [c.kind, c.url, c.passed ? 'passed' : c.reason ?? 'failed', figures(c)]);
  const lines = [head];
  if (checks.length > 0) lines.push('', table(['CHECK', 'URL', 'RESULT', 'FIGURES'], checks));
  if (cond && cond.status !== 'True') lines.push('', cond.message);
  return lines.join('\n');
}

function rows(reports: Report[]): string {
  return table(['NAME', 'VERIFIED', 'REASON', 'CHECKS', 'MESSAGE'], reports.map((r) => {
    if (!r.status) return [r.name, '-', 'NoReport', '-', r.missing ?? ''];
    const cond = verified(r.status);
    const checks = r.status.verification!.checks;
    return [r.name, cond?.status ?? '-', cond?.reason ?? '-', `${checks.filter((c) => c.passed).length}/${checks.length} passed`, cond?.status === 'True' ? '' : cond?.message ?? ''];
  }));
}

function figures(c: CheckOutcome): string {
  const parts = [`${c.durationMs} ms`];
  if (c.httpStatus !== undefined) parts.push(`HTTP ${c.httpStatus}`);
  if (c.connections !== undefined) parts.push(`${c.connectionsHeld}/${c.connections} held`);
  if (c.connectMs) parts.push(`connect p50/p99 ${c.connectMs.p50}/${c.connectMs.p99} ms`);
  if (c.roundTripMs) parts.push(`round trip p50/p99 ${c.roundTripMs.p50}/${c.roundTripMs.p99} ms`);
  return parts.join(', ');
}

function positive(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--timeout ${text}: give a number of seconds`);
  return n;
}
