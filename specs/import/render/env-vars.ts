import { SECRET_LOOKING_ENV } from '../../validate.ts';
import { isMap, scalar, type Notes, type Raw } from './notes.ts';
import type { BlueprintService, Scope } from './scope.ts';

// What the compute tier injects into every service from the data tier (constructs/model/compute.ts
// injectedVars; a test checks these names against it). Render's references map onto them.
/** What terrace injects for the database; there is no password: the app user logs in with IAM tokens. */
export const POSTGRES_ENV: Record<string, string> = { host: 'DATABASE_HOST', port: 'DATABASE_PORT', database: 'DATABASE_NAME', user: 'DATABASE_USER' };
const IAM_LOGIN = 'DATABASE_USER logs in with an IAM token (DATABASE_IAM_AUTH=true, DATABASE_SSLMODE=require): the app generates it with generate_db_auth_token';
export const REDIS_ENV: Record<string, string> = { host: 'REDIS_HOST', port: 'REDIS_PORT', connectionString: 'REDIS_URL' };
const DATABASE_PROPERTIES = ['connectionString', 'host', 'port', 'user', 'password', 'database'];
const SERVICE_PROPERTIES = ['connectionString', 'host', 'port', 'hostport'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `postgres://user:pass@host`: a credential written into the Blueprint. */
const CREDENTIAL_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** The private DNS name terrace gives every service (constructs/model/compute.ts privateDnsName; a test checks). */
export function privateAddress(env: string, service: string): string {
  return `${service}.${env}.internal`;
}

/**
 * A variable's value in the spec: a literal, the name of a Secrets Manager secret (never a value), or a secret
 * terrace creates for the service with a value AWS generates (`generatedSecrets`).
 */
type Resolved = { env: string } | { secret: string } | { generated: true };

export interface ServiceEnv {
  env: Record<string, string>;
  secrets: Record<string, string>;
  generatedSecrets: string[];
}

/** The secret terrace creates for a service's generated variable (constructs/model/compute.ts; a test checks). */
export function generatedSecretName(env: string, service: string, key: string): string {
  return `terrace/${env}/${service}/${key}`;
}

/**
 * A service's `envVars` as terrace env and secrets: the `fromGroup` groups first, in the order named, then the
 * service's own entries (Render's precedence: the service's own variable wins over a group's).
 */
export function serviceEnv(service: BlueprintService, scope: Scope, notes: Notes): ServiceEnv {
  const entries = Array.isArray(service.raw.envVars) ? service.raw.envVars : [];
  if (service.raw.envVars !== undefined && !Array.isArray(service.raw.envVars)) notes.error(`${service.path}.envVars`, 'must be a list');
  const merged = new Map<string, Resolved>();
  const own: [string, Resolved][] = [];
  entries.forEach((entry, i) => {
    const path = `${service.path}.envVars[${i}]`;
    if (isMap(entry) && entry.fromGroup !== undefined) {
      const group = scope.groups.find((g) => g.renderName === scalar(entry.fromGroup));
      if (!group) return notes.error(`${path}.fromGroup`, `no envVarGroup named ${JSON.stringify(entry.fromGroup)} (groups: ${names(scope.groups)})`);
      for (const [key, value] of groupEnv(group, scope, notes)) merged.set(key, value);
      return;
    }
    const resolved = resolveEntry(entry, path, service.name, scope, notes);
    if (resolved) own.push(resolved);
  });
  for (const [key, value] of own) merged.set(key, value);
  const out: ServiceEnv = { env: {}, secrets: {}, generatedSecrets: [] };
  for (const [key, value] of merged) {
    if ('env' in value) out.env[key] = value.env;
    else if ('secret' in value) out.secrets[key] = value.secret;
    else out.generatedSecrets.push(key);
  }
  return out;
}

/**
 * A group's variables, resolved once per Environment: its warnings are reported once, at the group's path, and
 * its secret names start with that Environment's name (a top-level group serves every project environment).
 */
const resolvedGroups = new WeakMap<Scope, Map<object, Map<string, Resolved>>>();
function groupEnv(group: Scope['groups'][number], scope: Scope, notes: Notes): Map<string, Resolved> {
  if (!resolvedGroups.has(scope)) resolvedGroups.set(scope, new Map());
  const cache = resolvedGroups.get(scope)!;
  const cached = cache.get(group.raw);
  if (cached) return cached;
  const out = new Map<string, Resolved>();
  const entries = Array.isArray(group.raw.envVars) ? group.raw.envVars : [];
  // Render generates one value for the group; terrace generates one per service that uses it.
  const users = scope.services.filter((s) => Array.isArray(s.raw.envVars) && s.raw.envVars.some((e) => isMap(e) && scalar(e.fromGroup) === group.renderName));
  entries.forEach((entry, i) => {
    const resolved = resolveEntry(entry, `${group.path}.envVars[${i}]`, group.name, scope, notes, users);
    if (resolved) out.set(...resolved);
  });
  cache.set(group.raw, out);
  return out;
}

/** `users`: for a group's entry, the services that use the group. */
function resolveEntry(entry: unknown, path: string, owner: string, scope: Scope, notes: Notes, users?: readonly BlueprintService[]): [string, Resolved] | undefined {
  if (!isMap(entry)) return void notes.error(path, 'must be a mapping with key and value, generateValue, sync, fromDatabase or fromService');
  const key = scalar(entry.key);
  if (key === undefined) return void notes.error(`${path}.key`, 'is required');
  if (!ENV_NAME.test(key)) return void notes.warn(`${path}.key`, `${JSON.stringify(key)} is not a name ECS accepts for an environment variable ([A-Za-z_][A-Za-z0-9_]*): left out`);
  const secretName = `${scope.env}/${owner}/${key}`;
  if (entry.value !== undefined) {
    const value = scalar(entry.value);
    if (value === undefined) return void notes.error(`${path}.value`, 'must be a string');
    if (SECRET_LOOKING_ENV.test(key) || CREDENTIAL_URL.test(value)) {
      notes.warn(`${path}.value`, `${key} has a literal value that looks like a secret: it is not copied; store it in Secrets Manager as ${secretName} (the spec references that name)`);
      return [key, { secret: secretName }];
    }
    return [key, { env: value }];
  }
  if (entry.generateValue !== undefined) {
    const at = `${path}.generateValue`;
    if (!users) {
      notes.map(at, `${key} -> generatedSecrets: terrace creates the secret ${generatedSecretName(scope.env, owner, key)} with a random value AWS generates`);
    } else if (users.length > 1) {
      const names = users.map((u) => generatedSecretName(scope.env, u.name, key)).join(', ');
      notes.warn(at, `${key}: Render generated one value shared by the group's services; terrace generates a separate value for each (${names}): if they must agree, create one secret and reference it in secrets instead`);
    } else {
      notes.map(at, `${key} -> generatedSecrets of the services using the group: terrace creates each one's secret with a random value AWS generates`);
    }
    return [key, { generated: true }];
  }
  if (entry.sync === false) {
    notes.warn(`${path}.sync`, `${key} is set outside the Blueprint: put its value in the Secrets Manager secret ${secretName}, the spec references it`);
    return [key, { secret: secretName }];
  }
  if (isMap(entry.fromDatabase)) return fromDatabase(entry.fromDatabase, key, `${path}.fromDatabase`, scope, notes);
  if (isMap(entry.fromService)) return fromService(entry.fromService, key, `${path}.fromService`, scope, notes);
  return void notes.error(path, `${key} has none of value, generateValue, sync: false, fromDatabase, fromService, fromGroup`);
}

function fromDatabase(ref: Raw, key: string, path: string, scope: Scope, notes: Notes): [string, Resolved] | undefined {
  const name = scalar(ref.name);
  const property = scalar(ref.property);
  const db = scope.databases.find((d) => d.renderName === name);
  if (!db) return void notes.error(`${path}.name`, `no database named ${JSON.stringify(ref.name)} in this Blueprint (databases: ${names(scope.databases)})`);
  if (!property || !DATABASE_PROPERTIES.includes(property)) return void notes.error(`${path}.property`, `${JSON.stringify(ref.property)} is not one of ${DATABASE_PROPERTIES.join(', ')}`);
  if (db !== scope.postgres) return void notes.warn(path, `${key}: database ${name} is not imported (only the first database becomes data.postgres): left out`);
  const all = Object.values(POSTGRES_ENV).join(', ');
  if (property === 'connectionString') {
    return void notes.warn(path, `${key}: terrace injects the database as ${all} rather than one URL, and ${IAM_LOGIN}: build ${key} from them in the app (e.g. in settings)`);
  }
  if (property === 'password') return void notes.warn(path, `${key}: left out: ${IAM_LOGIN}`);
  return void injected(POSTGRES_ENV[property], key, path, `database ${name}'s ${property}`, notes);
}

function fromService(ref: Raw, key: string, path: string, scope: Scope, notes: Notes): [string, Resolved] | undefined {
  const name = scalar(ref.name);
  const target = scope.services.find((s) => s.renderName === name);
  if (!target) return void notes.error(`${path}.name`, `no service named ${JSON.stringify(ref.name)} in this Blueprint (services: ${names(scope.services)})`);
  const type = scalar(ref.type);
  if (type !== undefined && normalizeType(type) !== target.kind && !(type === 'web' && target.kind === 'static')) {
    notes.warn(`${path}.type`, `says ${type} but ${name} is a ${target.kind} service: read as ${target.kind}`);
  }
  const envVarKey = scalar(ref.envVarKey);
  if (envVarKey !== undefined) return copyVariable(target, envVarKey, key, path, scope, notes);
  const property = scalar(ref.property);
  if (!property || !SERVICE_PROPERTIES.includes(property)) return void notes.error(`${path}.property`, `${JSON.stringify(ref.property)} is not one of ${SERVICE_PROPERTIES.join(', ')} (or give envVarKey)`);
  if (target.kind === 'keyvalue') {
    if (target !== scope.redis) return void notes.warn(path, `${key}: Key Value ${name} is not imported (only the first becomes data.redis): left out`);
    if (property === 'hostport') return void notes.warn(path, `${key}: terrace injects REDIS_HOST and REDIS_PORT: join them as host:port in the app`);
    injected(REDIS_ENV[property], key, path, `${name}'s ${property}`, notes);
    if (property === 'connectionString') notes.warn(path, `${key}: REDIS_URL is rediss:// (TLS) without the password; ElastiCache's AUTH token is in REDIS_AUTH_TOKEN (from Secrets Manager): pass it to the client`);
    return undefined;
  }
  return serviceAddress(target, property, key, path, scope, notes);
}

/** host, port or hostport of another service: its private DNS name and port, as literals (they are stable). */
function serviceAddress(target: BlueprintService, property: string, key: string, path: string, scope: Scope, notes: Notes): [string, Resolved] | undefined {
  const port = scope.ports.get(target.renderName);
  if (port === undefined) return void notes.warn(path, `${key}: ${property} of ${target.renderName}: a ${target.kind === 'static' ? 'static site' : `${target.kind} service`} listens on no port another service can reach: left out`);
  if (property === 'connectionString') return void notes.warn(path, `${key}: connectionString is a Key Value's; ${target.renderName} is reached at ${privateAddress(scope.env, target.name)}:${port}: set ${key} from that by hand`);
  const host = privateAddress(scope.env, target.name);
  const value = property === 'host' ? host : property === 'port' ? String(port) : `${host}:${port}`;
  notes.map(path, `${key}: ${property} of ${target.renderName} -> ${value} (its private DNS name in the Environment's Cloud Map namespace)`);
  return [key, { env: value }];
}

/** `fromService.envVarKey`: the same literal, or the same secret, as the other service's variable. */
function copyVariable(target: BlueprintService, envVarKey: string, key: string, path: string, scope: Scope, notes: Notes): [string, Resolved] | undefined {
  const entries = Array.isArray(target.raw.envVars) ? target.raw.envVars.filter(isMap) : [];
  const source = entries.find((e) => scalar(e.key) === envVarKey);
  const secret = { secret: `${scope.env}/${target.name}/${envVarKey}` };
  // The other service's generated secret, read by name (the execution role may read it by its ARN pattern).
  if (source && source.generateValue !== undefined) return [key, { secret: generatedSecretName(scope.env, target.name, envVarKey) }];
  if (source && source.sync === false) return [key, secret];
  const value = source && scalar(source.value);
  if (value !== undefined) return [key, SECRET_LOOKING_ENV.test(envVarKey) || CREDENTIAL_URL.test(value) ? secret : { env: value }];
  const hint = /^RENDER_EXTERNAL_(URL|HOSTNAME)$/.test(envVarKey) ? ` set it to the service's URL (https:// and compute.domain.name)` : ' set it in env by hand';
  return void notes.warn(`${path}.envVarKey`, `${key}: ${target.renderName} sets no ${envVarKey} in the Blueprint (Render sets it at run time):${hint}`);
}

/** A variable terrace injects under its own name: mapped when the Blueprint already uses that name. */
function injected(name: string, key: string, path: string, what: string, notes: Notes): void {
  if (name === key) notes.map(path, `${key}: ${what}, injected by terrace from the data tier`);
  else notes.warn(path, `${key}: terrace injects ${what} as ${name}: read ${name} in the app instead`);
}

export function normalizeType(type: string): string {
  return type === 'redis' ? 'keyvalue' : type;
}

function names(items: readonly { renderName: string }[]): string {
  return items.length === 0 ? 'none' : items.map((i) => i.renderName).join(', ');
}
