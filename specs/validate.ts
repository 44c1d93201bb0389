import type { Static, TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { formatIpv4, parseCidr } from './cidr.ts';
import { fillDefaults } from './defaults.ts';
import { frontendHeaderProblems } from './frontend-headers.ts';
import { Environment, FARGATE_SIZES, declaredTiers, parseInterval, servicePort, type EnvironmentSpec } from './environment.ts';
import { LIMITS, sizeProblems, structuralProblems } from './limits.ts';
import { ANNOTATIONS, API_VERSION, type Metadata } from './meta.ts';
import { AWS_TARGET_FIELDS, Target, type TargetSpec } from './target.ts';
import { ControlPlane, controlPlaneRules } from './control-plane.ts';
import { verifyRules } from './verify.ts';

export interface Problem {
  /** JSON path in dotted form: `spec.compute.services[1].cpu`. */
  path: string;
  message: string;
}

export class ValidationError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    this.name = 'ValidationError';
    this.problems = problems;
  }
}

export type AnyDocument = Environment | Target;
export const KINDS = ['Environment', 'Target'] as const;
export type Kind = (typeof KINDS)[number];

/**
 * Fills defaults of absent fields, then checks schema and cross-field rules. Returns the defaulted document
 * or throws a ValidationError listing every problem with its path. The input is never changed.
 */
export function parseDocument(input: unknown): AnyDocument {
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (kind === 'Environment') return parseEnvironment(input);
  if (kind === 'Target') return parseTarget(input);
  const problems: Problem[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) problems.push({ path: '', message: 'must be an object' });
  else {
    if ((input as { apiVersion?: unknown }).apiVersion !== API_VERSION) problems.push({ path: 'apiVersion', message: `must be ${API_VERSION}` });
    problems.push({ path: 'kind', message: `must be one of Environment, Target (got ${JSON.stringify(kind)})` });
  }
  throw new ValidationError(problems);
}

export function parseEnvironment(input: unknown): Environment {
  return check(Environment, input, (doc) => [...metadataRules(doc.metadata), ...environmentRules(doc.spec)]);
}

export function parseTarget(input: unknown): Target {
  return check(Target, input, (doc) => [...metadataRules(doc.metadata), ...targetRules(doc.spec)]);
}

/** Not a stored kind (the API knows Environment and Target only): read by `terrace control-plane synth`. */
export function parseControlPlane(input: unknown): ControlPlane {
  return check(ControlPlane, input, (doc) => {
    const cidr = checkCidr(doc.spec.cidr);
    return [...metadataRules(doc.metadata), ...controlPlaneRules(doc.spec), ...(cidr ? [{ path: 'spec.cidr', message: cidr }] : [])];
  });
}

/**
 * Shape limits, defaults of absent fields, schema, then cross-field rules. The rules also run when the schema
 * failed, so one answer lists every problem; a rule that trips over a malformed value is skipped (its field
 * already has a schema error).
 */
function check<T extends TSchema>(schema: T, input: unknown, rules: (doc: Static<T>) => Problem[]): Static<T> {
  throwIf(structuralProblems(input));
  const value = structuredClone(input) as Static<T>;
  fillDefaults(schema, value);
  const problems = schemaProblems(Value.Errors(schema, value));
  try {
    problems.push(...rules(value));
  } catch {
    if (problems.length === 0) throw new Error('validation rules failed on a schema-valid document');
  }
  throwIf(dedupe(problems));
  throwIf(sizeProblems(value));
  return value;
}

function throwIf(problems: Problem[]): void {
  if (problems.length > 0) throw new ValidationError(problems);
}

/** TypeBox's errors as problems, one per path; `prefix` names the part of a request (`querystring.`). */
export function schemaProblems(errors: Iterable<ValueError>, prefix = ''): Problem[] {
  // A failed intersect also reports each member: keep the members' lines only.
  return dedupe([...errors].filter((e) => e.type !== ValueErrorType.Intersect).map((e) => toProblem(e, prefix)));
}

/** A value under `secrets`, or of an env var named like a secret, may be a secret: errors never repeat it. */
function mayShow(path: string): boolean {
  if (/(^|\.)secrets(\.|\[|$)/.test(path)) return false;
  const envKey = /\.env\.([^.]+)$/.exec(path)?.[1];
  return !(envKey && SECRET_LOOKING_ENV.test(envKey));
}

function toProblem(e: ValueError, prefix: string): Problem {
  const path = `${prefix}${pointerToPath(e.path)}`.replace(/\.$/, '');
  const got = mayShow(path) ? ` (got ${JSON.stringify(e.value)?.slice(0, 80)})` : ' (the value is not shown: it may be a secret)';
  if (e.type === ValueErrorType.ObjectAdditionalProperties) return { path, message: e.schema.patternProperties ? 'is not a valid key' : 'unknown field' };
  if (e.type === ValueErrorType.ObjectRequiredProperty) return { path, message: 'is required' };
  if (e.type === ValueErrorType.Union) {
    const choices = (e.schema.anyOf as TSchema[] | undefined)?.map((s) => s.const);
    if (choices?.every((c) => c !== undefined)) return { path, message: `${JSON.stringify(e.value)} is not one of ${choices.join(', ')}` };
  }
  if (e.type === ValueErrorType.StringPattern && typeof e.schema.description === 'string') {
    return { path, message: mayShow(path) ? `${JSON.stringify(e.value)} is not valid: ${e.schema.description}` : `is not valid: ${e.schema.description}${got}` };
  }
  return { path, message: `${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}${got}` };
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    // "unknown field" also reports at the parent as a generic error; one line per path is enough.
    const key = p.path;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `/spec/compute/services/1/cpu` -> `spec.compute.services[1].cpu` */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^[0-9]+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

const SERVER_ANNOTATIONS: readonly string[] = Object.values(ANNOTATIONS);

/** The annotations the server adds (approve, reconcile now) do not count against a client's limit. */
function metadataRules(metadata: Metadata): Problem[] {
  const own = Object.keys(metadata.annotations ?? {}).filter((key) => !SERVER_ANNOTATIONS.includes(key));
  return own.length > LIMITS.annotations ? [{ path: 'metadata.annotations', message: `has ${own.length} entries; at most ${LIMITS.annotations}` }] : [];
}

export const SECRET_LOOKING_ENV = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIALS?)(_|$)/i;

export function environmentRules(spec: EnvironmentSpec): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path: `spec.${path}`, message });

  const declared = new Set(declaredTiers(spec));
  for (const tier of ['data', 'compute'] as const) {
    if (declared.has(tier) && !declared.has('network')) add(tier, `the ${tier} tier needs spec.network`);
  }
  if (declared.size === 0) add('', 'declares no tier: add at least one of network, data, compute, frontend, observability');

  const interval = spec.driftDetection.interval;
  if (parseInterval(interval) < 5 * 60_000) add('driftDetection.interval', `${interval} is shorter than 5m`);
  if (parseInterval(interval) > 30 * 86_400_000) add('driftDetection.interval', `${interval} is longer than 30d`);

  if (spec.network) {
    const cidr = checkCidr(spec.network.cidr);
    if (cidr) add('network.cidr', cidr);
    // Fargate tasks run in private subnets: without NAT they cannot pull images or reach Secrets Manager and SQS.
    if (spec.network.natGateways === 0 && (spec.compute?.services.length ?? 0) > 0) add('network.natGateways', '0 leaves the services in private subnets without a route to ECR, Secrets Manager and SQS: use 1 or perAz');
    // The database setup task pulls psql from ECR Public, which no VPC endpoint serves, and reads the master secret.
    else if (spec.network.natGateways === 0 && spec.data?.postgres) add('network.natGateways', '0 leaves the database setup task in private subnets without a route to ECR Public and Secrets Manager: use 1 or perAz');
  }
  const frontendCert = spec.frontend?.domain?.certificateArn;
  if (frontendCert && frontendCert.split(':')[3] !== 'us-east-1') add('frontend.domain.certificateArn', 'must be an ACM certificate in us-east-1 (CloudFront reads certificates only there)');
  for (const p of frontendHeaderProblems(spec.frontend?.headers)) add(p.path, p.message);

  const pg = spec.data?.postgres;
  if (pg && pg.maxCapacity < pg.minCapacity) add('data.postgres.maxCapacity', `${pg.maxCapacity} is below minCapacity ${pg.minCapacity}`);
  if (pg?.readerAutoscaling && pg.readerAutoscaling.maxReaders < pg.readers) add('data.postgres.readerAutoscaling.maxReaders', `${pg.readerAutoscaling.maxReaders} is below readers ${pg.readers}`);
  duplicates((spec.data?.queues ?? []).map((q) => q.name)).forEach((i) => add(`data.queues[${i}].name`, `duplicate queue name ${spec.data!.queues[i].name}`));

  const services = spec.compute?.services ?? [];
  duplicates(services.map((s) => s.name)).forEach((i) => add(`compute.services[${i}].name`, `duplicate service name ${services[i].name}`));
  // A service's log group is /terrace/<env>/<name>: these two are the network tier's and the setup task's.
  services.forEach((s, i) => {
    if (s.name === 'vpc-flow-logs' || s.name === 'db-setup') add(`compute.services[${i}].name`, `${s.name} is reserved: /terrace/<env>/${s.name} is the log group of terrace's ${s.name === 'db-setup' ? 'database setup task' : 'VPC flow logs'}`);
  });
  services.forEach((s, i) => {
    const at = `compute.services[${i}]`;
    const memories = FARGATE_SIZES[s.cpu];
    if (!memories) add(`${at}.cpu`, `${s.cpu} is not a Fargate size (one of ${Object.keys(FARGATE_SIZES).join(', ')})`);
    else if (!memories.includes(s.memory)) add(`${at}.memory`, `${s.memory} does not pair with cpu ${s.cpu} (from ${memories[0]} to ${memories.at(-1)})`);
    const a = s.autoscaling;
    if (a && a.min > a.max) add(`${at}.autoscaling.min`, `${a.min} is above autoscaling.max ${a.max}`);
    else if (a && !(a.min <= s.desiredCount && s.desiredCount <= a.max)) add(`${at}.desiredCount`, `${s.desiredCount} is outside autoscaling min ${a.min} .. max ${a.max}`);
    if (a?.requestsPerTarget !== undefined && !s.public) add(`${at}.autoscaling.requestsPerTarget`, 'needs a public service (it scales on ALB requests)');
    if (a?.connectionsPerTarget !== undefined && !s.public) add(`${at}.autoscaling.connectionsPerTarget`, 'needs a public service (it scales on ALB connections)');
    const queues = (spec.data?.queues ?? []).map((q) => q.name);
    if (a?.queue !== undefined && !queues.includes(a.queue)) add(`${at}.autoscaling.queue`, `no queue named ${a.queue} in data.queues${queues.length ? ` (queues: ${queues.join(', ')})` : ''}`);
    if (a?.messagesPerTask !== undefined && a.queue === undefined) add(`${at}.autoscaling.messagesPerTask`, 'needs autoscaling.queue (the queue whose depth it scales on)');
    // Two schedulers at once fire every periodic task twice.
    if (s.singleton && a) add(`${at}.autoscaling`, 'a singleton service never scales: remove autoscaling or singleton');
    if (s.singleton && s.desiredCount > 1) add(`${at}.desiredCount`, `${s.desiredCount}: a singleton service runs at most 1 task`);
    if (s.websocket && !s.public) add(`${at}.websocket`, 'needs public: true (WebSocket settings live on the ALB)');
    if (s.paths && !s.public) add(`${at}.paths`, 'needs public: true');
    for (const key of Object.keys(s.env)) {
      if (Object.hasOwn(s.secrets, key)) add(`${at}.env.${key}`, 'is also in secrets');
      else if (SECRET_LOOKING_ENV.test(key)) add(`${at}.env.${key}`, 'looks like a secret: put a Secrets Manager name in secrets instead');
    }
    const generated = s.generatedSecrets ?? [];
    duplicates(generated).forEach((j) => add(`${at}.generatedSecrets[${j}]`, `duplicate generated secret ${generated[j]}`));
    generated.forEach((key, j) => {
      if (Object.hasOwn(s.env, key)) add(`${at}.generatedSecrets[${j}]`, `${key} is also in env`);
      if (Object.hasOwn(s.secrets, key)) add(`${at}.generatedSecrets[${j}]`, `${key} is also in secrets`);
    });
  });
  const publicServices = services.map((s, i) => ({ s, i })).filter(({ s }) => s.public);
  const ports = new Map<number, number>();
  for (const { s, i } of publicServices) {
    const port = servicePort(s)!;
    if (ports.has(port)) add(`compute.services[${i}].port`, `${port} is already used by public service ${services[ports.get(port)!].name}`);
    else ports.set(port, i);
  }
  const defaults = publicServices.filter(({ s }) => !s.paths);
  if (defaults.length > 1) add(`compute.services[${defaults[1].i}].paths`, `is required: ${defaults[0].s.name} already takes the ALB's default route`);
  if (publicServices.length > 0 && !spec.compute?.domain) add('compute.domain', 'is required with a public service (the ALB serves HTTPS only)');
  const schedules = spec.compute?.schedules ?? [];
  duplicates(schedules.map((s) => s.name)).forEach((i) => add(`compute.schedules[${i}].name`, `duplicate schedule name ${schedules[i].name}`));
  schedules.forEach((s, i) => {
    if (!services.some((svc) => svc.name === s.service)) add(`compute.schedules[${i}].service`, `no service named ${s.service} (services: ${services.map((svc) => svc.name).join(', ')})`);
    const cron = cronProblem(s.schedule);
    if (cron) add(`compute.schedules[${i}].schedule`, cron);
  });
  if (publicServices.length > 0 && defaults.length === 0) add(`compute.services[${publicServices[0].i}].paths`, 'one public service must take the default route (no paths)');
  problems.push(...verifyRules(spec));

  return problems;
}

export function targetRules(spec: TargetSpec): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path: `spec.${path}`, message });
  if (spec.provider === 'aws') {
    for (const field of AWS_TARGET_FIELDS) if (spec[field] === undefined) add(field, 'is required for provider aws');
    const roleAccount = spec.roleArn?.split(':')[4];
    if (spec.accountId && roleAccount && roleAccount !== spec.accountId) add('roleArn', `is in account ${roleAccount}, not accountId ${spec.accountId}`);
    // They become every resource's default tags: AWS refuses its own prefix on all of them.
    for (const key of Object.keys(spec.tags ?? {})) if (key.toLowerCase().startsWith('aws:')) add(`tags.${key}`, 'aws: is AWS\'s own tag prefix: no resource takes it');
  } else {
    for (const field of [...AWS_TARGET_FIELDS, 'externalId'] as const) if (spec[field] !== undefined) add(field, 'only applies to provider aws');
  }
  return problems;
}

/** EventBridge Scheduler's cron: six fields (minutes hours day-of-month month day-of-week year), one day field `?`. */
function cronProblem(expression: string): string | undefined {
  const fields = /^cron\((.*)\)$/.exec(expression)?.[1].trim().split(/\s+/);
  if (!fields) return undefined; // rate(...): the pattern checked it
  if (fields.length !== 6) return `${expression} has ${fields.length} fields: EventBridge takes six (minutes hours day-of-month month day-of-week year), e.g. cron(0 3 * * ? *)`;
  if ((fields[2] === '?') === (fields[4] === '?')) return `${expression}: exactly one of day-of-month and day-of-week must be ?, e.g. cron(0 3 * * ? *)`;
  return undefined;
}

function duplicates(values: string[]): number[] {
  return values.flatMap((v, i) => (values.indexOf(v) < i ? [i] : []));
}

function checkCidr(text: string): string | undefined {
  const cidr = parseCidr(text);
  if (cidr?.version !== 4) return `${text} is not an IPv4 CIDR`;
  // One spelling only: `010.0.0.0` reads as octal to some tools and as decimal to others.
  const canonical = `${formatIpv4(cidr.address)}/${cidr.prefix}`;
  if (canonical !== text) return `${text} must be written ${canonical}`;
  if (cidr.prefix < 16 || cidr.prefix > 24) return `${text}: the prefix must be /16 to /24`;
  if (cidr.address % 2n ** BigInt(32 - cidr.prefix) !== 0n) return `${text} has host bits set`;
  return undefined;
}
