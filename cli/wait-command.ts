import { InvalidArgumentError, Option, type Command } from 'commander';
import type { EnvironmentResource } from '../api/schemas.ts';
import type { Static } from '@sinclair/typebox';
import { ApiError, connect, getOptional, pathOf, withConnection, type Connection } from './client.ts';
import { EXIT, run } from './exit-codes.ts';
import { conditionOf, parseDuration } from './format.ts';
import { watchEnvironment, type Status } from './watch.ts';

type Environment = Static<typeof EnvironmentResource>;

interface WaitOptions {
  for: string;
  timeout: number;
  output?: 'json';
}

type Goal = { kind: 'condition'; type: 'Ready' | 'Verified' } | { kind: 'delete' };

/** Why the wait ended without its goal: the tier to look at, the reason and terraform's (or the checks') words. */
interface Failure {
  tier?: string;
  reason: string;
  message: string;
}

// Tier reasons that mean "not yet" rather than "failed".
const PENDING = new Set(['Progressing', 'DependencyNotReady', 'AwaitingApproval', 'Deleting', 'Planning', 'Applying', 'Queued']);
const TIER_ORDER = ['network', 'data', 'compute', 'frontend', 'observability'];

// `terrace wait environment/<name> --for condition=Ready|condition=Verified|delete [--timeout 15m]`
export function registerWait(program: Command): void {
  const command = withConnection(
    program
      .command('wait')
      .description('wait until an Environment is Ready or Verified at its current generation, or deleted (exit 1 with the failing tier, reason and message when it stalls or the timeout passes; a failure being retried is shown and waited through)')
      .argument('<environment>', 'environment/<name>')
      .requiredOption('--for <goal>', 'condition=Ready, condition=Verified or delete')
      .addOption(new Option('--timeout <duration>', 'give up after this long: 90s, 15m, 2h').default(15 * 60_000, '15m').argParser(timeoutOf))
      .addOption(new Option('-o, --output <format>', 'print the outcome and the last status as JSON').choices(['json'])),
  );
  command.action(run((ref: string, options: WaitOptions) => wait(connect(command), nameOf(ref), goalOf(options.for), options)));
}

async function wait(conn: Connection, name: string, goal: Goal, { timeout, output }: WaitOptions): Promise<number> {
  const env = await getOptional<Environment>(conn, pathOf('Environment', name));
  if (!env) {
    if (goal.kind === 'delete') return report(output, name, { met: true, message: `environment/${name} is deleted` });
    throw new Error(`environment/${name} not found`);
  }
  if (goal.kind === 'condition' && goal.type === 'Verified' && !env.spec.verify) {
    throw new Error(`environment/${name} has no spec.verify: nothing is ever Verified (wait for condition=Ready)`);
  }
  // The goal is met at this generation or a later one: a spec change made during the wait moves it on.
  const generation = env.metadata.generation ?? 0;
  const deadline = AbortSignal.timeout(timeout);
  let last: Status | undefined;
  let following = false;
  let lastRetry: string | undefined;
  try {
    for (;;) {
      try {
        for await (const change of watchEnvironment(conn, name, deadline)) {
          if (change.deleted) {
            if (goal.kind === 'delete') return report(output, name, { met: true, message: `environment/${name} is deleted` });
            return report(output, name, { met: false, failure: { reason: 'Deleted', message: `environment/${name} was deleted` } });
          }
          last = change.status;
          if (goal.kind === 'condition' && met(last, goal.type, generation)) {
            return report(output, name, { met: true, message: `environment/${name}: condition ${goal.type} met at generation ${last.observedGeneration}`, status: last });
          }
          const failure = stalledOf(last, generation);
          if (failure) return report(output, name, { met: false, failure, status: last });
          // A failure the controller retries may pass (a verification before the new tasks are up, a throttled
          // API): shown, not the end of the wait; it is what the timeout names if it never passes.
          const retrying = retryingOf(last, generation);
          const said = retrying && `${retrying.tier ?? ''}|${retrying.reason}|${retrying.message}`;
          if (retrying && said !== lastRetry) console.error(`environment/${name}${retrying.tier ? `: tier ${retrying.tier}` : ''}: ${retrying.reason}: ${retrying.message} (the controller retries; waiting on)`);
          lastRetry = said || undefined;
          // Once, on stderr: a CI log shows what is awaited while stdout stays the outcome.
          if (!following) console.error(`environment/${name}: waiting for ${goal.kind === 'delete' ? 'deletion' : `condition ${goal.type}`} at generation ${generation} or later`);
          following = true;
        }
      } catch (err) {
        if (deadline.aborted) throw err;
        if (err instanceof ApiError && err.status === 404 && goal.kind === 'delete') return report(output, name, { met: true, message: `environment/${name} is deleted` });
        if (err instanceof ApiError) throw err;
      }
      // The stream ended or the server could not be reached (a control plane restarting during a deploy):
      // follow it again until the deadline; the status it sends first is the current one.
      console.error(`environment/${name}: the watch ended; following it again in ${RECONNECT_MS / 1000} s`);
      await pause(RECONNECT_MS, deadline);
    }
  } catch (err) {
    if (!deadline.aborted || err instanceof ApiError) throw err;
    const seconds = Math.round(timeout / 1000);
    const pending = last ? blocking(last) : undefined;
    const message = `not ${goal.kind === 'delete' ? 'deleted' : goal.type} within ${seconds} s${pending ? `; ${pending.reason}: ${pending.message}` : ''}`;
    return report(output, name, { met: false, failure: { tier: pending?.tier, reason: 'Timeout', message }, status: last });
  }
}

const RECONNECT_MS = 1000;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

function met(status: Status, type: 'Ready' | 'Verified', generation: number): boolean {
  if ((status.observedGeneration ?? 0) < generation) return false;
  const c = conditionOf(status.conditions, type);
  if (c?.status !== 'True') return false;
  if ((c.observedGeneration ?? 0) >= generation) return true;
  // A verification of an earlier generation counts once Ready (which requires Verified) is True at this one.
  const ready = conditionOf(status.conditions, 'Ready');
  return type === 'Verified' && ready?.status === 'True' && (ready.observedGeneration ?? 0) >= generation;
}

/** Stalled (terminal: the spec must change) at this generation or a later one: the wait ends. */
function stalledOf(status: Status, generation: number): Failure | undefined {
  return failing(status, generation, (c) => c.type === 'Stalled' && c.status === 'True');
}

/** A failure the controller is retrying (Reconciling ProgressingWithRetry): the wait goes on. */
function retryingOf(status: Status, generation: number): Failure | undefined {
  return failing(status, generation, (c) => c.status === 'True' && c.reason === 'ProgressingWithRetry');
}

function failing(status: Status, generation: number, is: (c: { type: string; status: string; reason: string }) => boolean): Failure | undefined {
  if ((status.observedGeneration ?? 0) < generation) return undefined;
  const condition = conditionOf(status.conditions, 'Stalled');
  const reconciling = conditionOf(status.conditions, 'Reconciling');
  const hit = condition && is(condition) ? condition : reconciling && is(reconciling) ? reconciling : undefined;
  if (!hit || (hit.observedGeneration ?? 0) < generation) return undefined;
  const tier = failedTier(status);
  if (tier) return tier;
  const ready = conditionOf(status.conditions, 'Ready');
  return { reason: ready?.reason ?? hit.reason, message: ready?.message ?? hit.message };
}

function failedTier(status: Status): Failure | undefined {
  for (const tier of Object.keys(status.tiers).sort((a, b) => TIER_ORDER.indexOf(a) - TIER_ORDER.indexOf(b))) {
    const ready = conditionOf(status.tiers[tier].conditions, 'Ready');
    if (ready?.status === 'False' && !PENDING.has(ready.reason)) return { tier, reason: ready.reason, message: ready.message };
  }
  const verified = conditionOf(status.conditions, 'Verified');
  if (verified?.status === 'False' && !PENDING.has(verified.reason)) return { reason: verified.reason, message: verified.message };
  return undefined;
}

/** What holds the environment up when the time runs out: a tier not ready, or the environment's Ready. */
function blocking(status: Status): Failure | undefined {
  for (const tier of Object.keys(status.tiers).sort((a, b) => TIER_ORDER.indexOf(a) - TIER_ORDER.indexOf(b))) {
    const ready = conditionOf(status.tiers[tier].conditions, 'Ready');
    if (ready && ready.status !== 'True') return { tier, reason: ready.reason, message: ready.message };
  }
  const ready = conditionOf(status.conditions, 'Ready');
  return ready && ready.status !== 'True' ? { reason: ready.reason, message: ready.message } : undefined;
}

type Outcome = { met: true; message: string; status?: Status } | { met: false; failure: Failure; status?: Status };

function report(output: 'json' | undefined, name: string, outcome: Outcome): number {
  if (output === 'json') console.log(JSON.stringify({ environment: name, ...outcome }, null, 2));
  else if (outcome.met) console.log(outcome.message);
  else {
    const { tier, reason, message } = outcome.failure;
    console.error(`error: environment/${name}${tier ? `: tier ${tier}` : ''}: ${reason}: ${message}`);
  }
  return outcome.met ? EXIT.ok : EXIT.failed;
}

function nameOf(ref: string): string {
  const m = /^(?:environments?|envs?)\/([^/]+)$/.exec(ref);
  if (!m) throw new Error(`${ref}: give environment/<name>`);
  return m[1];
}

function goalOf(text: string): Goal {
  if (text === 'delete') return { kind: 'delete' };
  const m = /^condition=(Ready|Verified)$/.exec(text);
  if (!m) throw new Error(`--for ${text}: use condition=Ready, condition=Verified or delete`);
  return { kind: 'condition', type: m[1] as 'Ready' | 'Verified' };
}

function timeoutOf(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('give a duration such as 90s, 15m or 2h');
  return ms;
}
