import { scalar, isMap, numberAt, stringAt, type Notes, type Raw } from './notes.ts';
import { privateAddress, serviceEnv } from './env-vars.ts';
import { warnUnhandled } from './fields.ts';
import { PREVIEW_SERVICE_FIELDS } from './previews.ts';
import type { BlueprintGroup, BlueprintService, Scope } from './scope.ts';
import { DEFAULT_SERVICE_PLAN, SERVICE_PLANS, normalizePlan } from './tables.ts';

/** The port Render gives a service in PORT unless its envVars set one. */
export const RENDER_DEFAULT_PORT = 10000;
const HEALTH_CHECK_PATH = /^\/[A-Za-z0-9_./?=&-]*$/;
/** Fields this converter reads (the build fields are described in the image line of the report). */
const HANDLED = ['type', 'name', 'runtime', 'env', 'plan', 'region', 'startCommand', 'dockerCommand', 'image', 'healthCheckPath', 'numInstances', 'scaling', 'envVars', 'domains', 'buildCommand', 'dockerfilePath', 'dockerContext', 'rootDir', 'schedule', 'maxShutdownDelaySeconds', ...PREVIEW_SERVICE_FIELDS];

export interface ServiceOptions {
  scope: Scope;
  notes: Notes;
  imageRegistry?: string;
  /** Public services after the first get a path prefix on the shared ALB, and a port of their own. */
  publicIndex?: number;
}

/** `runtime`, or the older `env` (both on one service in real files: runtime wins). */
export function runtimeOf(raw: Raw): string | undefined {
  return scalar(raw.runtime) ?? scalar(raw.env);
}

/** A web, pserv or worker service as a terrace compute service (not defaulted: what a person would write). */
export function computeService(service: BlueprintService, { scope, notes, imageRegistry, publicIndex }: ServiceOptions): Raw {
  const { raw, path, name, kind } = service;
  const runtime = runtimeOf(raw);
  if (raw.runtime !== undefined && raw.env !== undefined && scalar(raw.runtime) !== scalar(raw.env)) notes.warn(`${path}.env`, `says ${scalar(raw.env)} but runtime says ${runtime}: read runtime`);
  const out: Raw = { name, image: image(service, runtime, imageRegistry, notes) };
  const { env, secrets, generatedSecrets } = serviceEnv(service, scope, notes);

  const port = scope.ports.get(service.renderName);
  if (port !== undefined) {
    out.port = port;
    env.PORT = String(port);
  }
  const command = stringAt(raw, 'dockerCommand', `${path}.dockerCommand`, notes) ?? stringAt(raw, 'startCommand', `${path}.startCommand`, notes);
  if (command !== undefined) out.command = ['sh', '-c', withPort(command, port)];
  Object.assign(out, size(raw, path, notes));
  // A cron job's service only holds its task definition: the schedule starts its runs.
  Object.assign(out, kind === 'cron' ? { desiredCount: 0 } : instances(raw, path, notes));

  if (kind === 'web') {
    out.public = true;
    if (publicIndex) {
      const prefix = `/${name}/*`;
      out.paths = [prefix];
      notes.warn(path, `${name} is a second public web service: Render gave it its own onrender.com domain, terrace's one ALB sends it ${prefix} (change paths, or give it its own Environment)`);
    }
    // Render keeps idle WebSocket connections open; the ALB's default 60 s idle timeout would cut them.
    out.websocket = {};
  }
  const shutdown = numberAt(raw, 'maxShutdownDelaySeconds', `${path}.maxShutdownDelaySeconds`, notes);
  if (shutdown !== undefined) out.stopTimeoutSeconds = clamp(shutdown, 2, 120);
  if (shutdown !== undefined && shutdown > 120) notes.warn(`${path}.maxShutdownDelaySeconds`, `${shutdown} s: Fargate gives a container at most 120 s between SIGTERM and SIGKILL: stopTimeoutSeconds is 120`);
  const health = stringAt(raw, 'healthCheckPath', `${path}.healthCheckPath`, notes);
  if (health !== undefined && kind !== 'web') notes.warn(`${path}.healthCheckPath`, 'only public services are health-checked (by the ALB): left out; ECS restarts a task whose process exits');
  else if (health !== undefined && !HEALTH_CHECK_PATH.test(health)) notes.warn(`${path}.healthCheckPath`, `${JSON.stringify(health)} is not a path the ALB health check takes: left out (the ALB checks /)`);
  else if (health !== undefined) out.healthCheckPath = health;

  if (Object.keys(env).length > 0) out.env = env;
  if (Object.keys(secrets).length > 0) out.secrets = secrets;
  if (generatedSecrets.length > 0) out.generatedSecrets = generatedSecrets;
  const route = Array.isArray(out.paths) ? ` on ${String(out.paths[0])}` : ', the ALB default route';
  // Every terrace service has a private DNS name; a pserv is reached by it alone (no load balancer).
  const role = kind === 'web' ? `public${route}` : kind === 'cron' ? `desiredCount 0, run by compute.schedules ${name} on ${scalar(raw.schedule)} UTC` : kind === 'pserv' ? `private, reached by the others at ${privateAddress(scope.env, name)}:${port}` : 'private';
  notes.map(path, `${kind} ${service.renderName} -> compute.services ${name} (${role}, ${out.cpu} cpu / ${out.memory} MiB${port ? `, port ${port}` : ''})`);
  warnUnhandled(raw, path, HANDLED, notes);
  return out;
}

/** `image.url` as given; else `<registry>/<service>:latest`, which the report says how to build. */
function image(service: BlueprintService, runtime: string | undefined, registry: string | undefined, notes: Notes): string {
  const { raw, path, name } = service;
  const url = isMap(raw.image) ? scalar(raw.image.url) : undefined;
  if (isMap(raw.image) && raw.image.creds !== undefined) notes.warn(`${path}.image.creds`, 'store the registry credentials in Secrets Manager and give the task definition repositoryCredentials, or mirror the image into ECR');
  if (url) {
    notes.map(`${path}.image`, `image ${url} kept`);
    return url;
  }
  if (runtime === 'image') notes.error(`${path}.image.url`, 'is required with runtime image');
  if (!registry) {
    notes.error(`${path}.image`, `${service.renderName} builds from source on Render: give --image-registry (images become <registry>/${name}:latest), or image.url in the Blueprint`);
    return '';
  }
  const ref = `${registry.replace(/\/+$/, '')}/${name}:latest`;
  const build = runtime === 'docker'
    ? `docker build -f ${scalar(raw.dockerfilePath) ?? './Dockerfile'} ${scalar(raw.dockerContext) ?? scalar(raw.rootDir) ?? '.'}`
    : `a Dockerfile for the ${runtime ?? 'unknown'} runtime${raw.buildCommand !== undefined ? ` that runs \`${scalar(raw.buildCommand)}\`` : ''}${raw.rootDir !== undefined ? ` in ${scalar(raw.rootDir)}` : ''} (or Cloud Native Buildpacks: pack build)`;
  notes.map(`${path}.image`, `image ${ref}: Render built it from source; build and push it with ${build}`);
  return ref;
}

/**
 * The port of each web and pserv service, in Blueprint order, before any is converted (a fromService host/port
 * needs its target's): a literal PORT in its envVars (its own over its groups') is the port; else Render's
 * default, or the next free one (public ports must differ).
 */
export function servicePorts(services: readonly BlueprintService[], groups: readonly BlueprintGroup[]): Map<string, number> {
  const taken = new Set<number>();
  const ports = new Map<string, number>();
  for (const s of services.filter((x) => x.kind === 'web' || x.kind === 'pserv')) {
    const literal = literalPort(s, groups);
    let port = literal !== undefined && /^[0-9]{1,5}$/.test(literal) ? Number(literal) : RENDER_DEFAULT_PORT;
    while (taken.has(port)) port += 1;
    taken.add(port);
    ports.set(s.renderName, port);
  }
  return ports;
}

/** PORT's literal value as serviceEnv merges it: the groups in the order named, then the service's own entry. */
function literalPort(service: BlueprintService, groups: readonly BlueprintGroup[]): string | undefined {
  const entries = (raw: Raw) => (Array.isArray(raw.envVars) ? raw.envVars.filter(isMap) : []);
  let port: string | undefined;
  for (const entry of entries(service.raw)) {
    const group = entry.fromGroup !== undefined ? groups.find((g) => g.renderName === scalar(entry.fromGroup)) : undefined;
    for (const e of group ? entries(group.raw) : []) if (scalar(e.key) === 'PORT' && e.value !== undefined) port = scalar(e.value);
  }
  for (const e of entries(service.raw)) if (scalar(e.key) === 'PORT' && e.value !== undefined) port = scalar(e.value);
  return port;
}

/** `$PORT` and `${PORT}` become the number: the command must not depend on a variable ECS may not set. */
export function withPort(command: string, port: number | undefined): string {
  return port === undefined ? command : command.replace(/\$\{PORT\}|\$PORT(?![A-Za-z0-9_])/g, String(port));
}

function size(raw: Raw, path: string, notes: Notes): { cpu: number; memory: number } {
  const plan = stringAt(raw, 'plan', `${path}.plan`, notes) ?? DEFAULT_SERVICE_PLAN;
  const known = SERVICE_PLANS[normalizePlan(plan)];
  if (!known) notes.warn(`${path}.plan`, `${JSON.stringify(plan)} is not a Render plan terrace knows: sized as ${DEFAULT_SERVICE_PLAN} (${SERVICE_PLANS[DEFAULT_SERVICE_PLAN].cpu} cpu / ${SERVICE_PLANS[DEFAULT_SERVICE_PLAN].memory} MiB)`);
  return known ?? SERVICE_PLANS[DEFAULT_SERVICE_PLAN];
}

/** `numInstances` -> desiredCount; `scaling` -> autoscaling on CPU (memory targets are warned). */
function instances(raw: Raw, path: string, notes: Notes): Raw {
  const count = numberAt(raw, 'numInstances', `${path}.numInstances`, notes);
  const out: Raw = {};
  if (count !== undefined) out.desiredCount = clamp(count, 0, 100);
  if (raw.scaling === undefined) return out;
  if (!isMap(raw.scaling)) return notes.error(`${path}.scaling`, 'must be a mapping'), out;
  const at = `${path}.scaling`;
  const min = clamp(numberAt(raw.scaling, 'minInstances', `${at}.minInstances`, notes) ?? 1, 0, 100);
  const max = clamp(numberAt(raw.scaling, 'maxInstances', `${at}.maxInstances`, notes) ?? min, Math.max(1, min), 100);
  const cpu = numberAt(raw.scaling, 'targetCPUPercent', `${at}.targetCPUPercent`, notes);
  const memory = numberAt(raw.scaling, 'targetMemoryPercent', `${at}.targetMemoryPercent`, notes);
  out.autoscaling = { min, max, ...(cpu !== undefined ? { cpuTarget: clamp(cpu, 10, 95) } : {}) };
  if (memory !== undefined) notes.warn(`${at}.targetMemoryPercent`, `terrace scales on CPU only${cpu === undefined ? ' (target 60%)' : ''}: add an ECS target-tracking policy on ECSServiceAverageMemoryUtilization ${memory}% by hand`);
  out.desiredCount = clamp(count ?? min, min, max);
  if (count !== undefined && count !== out.desiredCount) notes.warn(`${path}.numInstances`, `${count} is outside scaling ${min}..${max}: starts at ${String(out.desiredCount)}`);
  return out;
}

function clamp(n: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, n));
}
