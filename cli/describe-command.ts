import type { Static } from '@sinclair/typebox';
import { Option, type Command } from 'commander';
import type { EnvironmentResource, EventSchema } from '../api/schemas.ts';
import { connect, kindOf, pathOf, request, withConnection, type Connection } from './client.ts';
import { run } from './exit-codes.ts';
import { age, conditionOf, table } from './format.ts';

type Environment = Static<typeof EnvironmentResource>;
type Event = Static<typeof EventSchema>;
type Spec = Record<string, any>;

const TIER_ORDER = ['network', 'data', 'compute', 'frontend', 'observability'];
const EVENTS = 10;

// `terrace describe environment <name> [-o json]`: spec summary, every condition of the environment and of each
// tier, outputs, last plan, verification and the latest events, in one read for a person (or one JSON document).
export function registerDescribe(program: Command): void {
  const command = withConnection(
    program
      .command('describe')
      .description('an Environment in full: spec summary, every condition of it and of each tier, outputs, last plans, latest events')
      .argument('<kind>', 'environment')
      .argument('<name>', 'environment name')
      .addOption(new Option('-o, --output <format>', 'the document and its latest events as one JSON object').choices(['json'])),
  );
  command.action(run((kind: string, name: string, options: { output?: 'json' }) => describe(connect(command), kind, name, options)));
}

async function describe(conn: Connection, kind: string, name: string, { output }: { output?: 'json' }): Promise<void> {
  if (kindOf(kind) !== 'Environment') throw new Error(`describe ${kind}: only environments (use get targets ${name} -o yaml)`);
  const path = pathOf('Environment', name);
  const [env, page] = await Promise.all([
    request<Environment>(conn, 'GET', path).then((r) => r.body),
    request<{ items: Event[] }>(conn, 'GET', `${path}/events?limit=${EVENTS}`).then((r) => r.body),
  ]);
  if (output === 'json') {
    console.log(JSON.stringify({ environment: env, events: page.items }, null, 2));
    return;
  }
  console.log(text(env, page.items));
}

function text(env: Environment, events: Event[]): string {
  const { metadata, spec, status } = env;
  const labels = Object.entries(metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || '-';
  const out = [
    `Name:         ${metadata.name}`,
    `Labels:       ${labels}`,
    `Target:       ${spec.target}`,
    `Generation:   ${metadata.generation ?? '-'} (observed ${status.observedGeneration ?? '-'})`,
    `Created:      ${metadata.creationTimestamp ?? '-'} (${age(metadata.creationTimestamp)} ago)`,
    `Approval:     ${spec.approval ?? 'auto'}${spec.suspend ? ', suspended' : ''}${metadata.deletionTimestamp ? `, deleting since ${metadata.deletionTimestamp}` : ''}`,
    'Spec:',
    ...specSummary(spec as Spec).map((l) => `  ${l}`),
    'Conditions:',
    indent(conditionTable(status.conditions)),
    'Tiers:',
  ];
  const tiers = Object.keys(status.tiers).sort((a, b) => TIER_ORDER.indexOf(a) - TIER_ORDER.indexOf(b));
  if (tiers.length === 0) out.push('  none reconciled yet');
  for (const tier of tiers) {
    const s = status.tiers[tier];
    out.push(`  ${tier}:`);
    out.push(indent(conditionTable(s.conditions), '    '));
    if (s.lastPlan) out.push(`    Last plan:    ${s.lastPlan.id}: ${s.lastPlan.add} to add, ${s.lastPlan.change} to change, ${s.lastPlan.destroy} to destroy`);
    if (s.lastAppliedAt) out.push(`    Last applied: ${s.lastAppliedAt} (${age(s.lastAppliedAt)} ago)`);
    const outputs = Object.entries(s.outputs ?? {});
    if (outputs.length > 0) {
      out.push('    Outputs:');
      for (const [k, v] of outputs) out.push(`      ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    }
  }
  const v = status.verification;
  if (v) {
    const verified = conditionOf(status.conditions, 'Verified');
    out.push(`Verification: ${v.passed ? 'passed' : 'failed'} at ${v.ranAt} (${verified?.reason ?? '-'}), ${v.checks.filter((c) => c.passed).length}/${v.checks.length} checks passed`);
  }
  out.push(`Events (latest ${EVENTS}, newest first):`);
  if (events.length === 0) out.push('  none');
  else out.push(indent(eventTable(events)));
  return out.join('\n');
}

function specSummary(spec: Spec): string[] {
  const lines: string[] = [];
  if (spec.network) lines.push(`network:       ${spec.network.cidr ?? '-'}, ${spec.network.azCount ?? '-'} AZs`);
  if (spec.data) {
    const parts = [
      spec.data.postgres && `postgres ${spec.data.postgres.engineVersion ?? ''}`.trim(),
      spec.data.redis && `redis ${spec.data.redis.nodeType ?? ''}`.trim(),
      spec.data.queues?.length && `${spec.data.queues.length} queue(s)`,
    ].filter(Boolean);
    lines.push(`data:          ${parts.join(', ') || '-'}`);
  }
  if (spec.compute) {
    const services = (spec.compute.services ?? []) as Spec[];
    lines.push(`compute:       ${services.length} service(s)${spec.compute.domain?.name ? `, domain ${spec.compute.domain.name}` : ''}`);
    for (const s of services) lines.push(`  ${s.name}: ${s.image} (${s.desiredCount ?? 1} task(s), ${s.cpu ?? '-'} CPU, ${s.memory ?? '-'} MiB${s.public ? ', public' : ''})`);
  }
  if (spec.frontend) lines.push(`frontend:      ${spec.frontend.spa ? 'single-page app' : 'static site'}${spec.frontend.domain?.name ? `, domain ${spec.frontend.domain.name}` : ''}`);
  if (spec.observability) lines.push(`observability: logs kept ${spec.observability.logRetentionDays ?? '-'} days${spec.observability.cloudtrail ? ', CloudTrail' : ''}`);
  if (spec.verify) lines.push(`verify:        ${(spec.verify.http ?? []).length} HTTP, ${(spec.verify.websocket ?? []).length} WebSocket check(s)`);
  return lines.length > 0 ? lines : ['no tiers'];
}

function conditionTable(conditions: { type: string; status: string; reason: string; message: string; lastTransitionTime?: string }[]): string {
  if (conditions.length === 0) return 'no conditions yet';
  return table(['TYPE', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'], conditions.map((c) => [c.type, c.status, c.reason, age(c.lastTransitionTime), firstLine(c.message)]));
}

export function eventTable(events: Event[]): string {
  return table(
    ['TIME', 'TIER', 'ACTION', 'OUTCOME', 'CHANGES', 'MESSAGE'],
    events.map((e) => [e.time, e.tier ?? '-', e.action, e.outcome, e.changes ? `+${e.changes.add} ~${e.changes.change} -${e.changes.destroy}` : '-', firstLine(e.message ?? '')]),
  );
}

const firstLine = (text: string) => text.split('\n')[0];
const indent = (text: string, by = '  ') => text.split('\n').map((l) => by + l).join('\n');
