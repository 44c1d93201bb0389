import { REDIS_MAXMEMORY_POLICIES } from '../../environment.ts';
import { warnUnhandled } from './fields.ts';
import { PREVIEW_DATABASE_FIELDS } from './previews.ts';
import { isMap, scalar, stringAt, type Notes, type Raw } from './notes.ts';
import type { BlueprintDatabase, BlueprintService } from './scope.ts';
import { KEY_VALUE_PLANS, POSTGRES_VERSIONS, databaseCapacity, normalizePlan } from './tables.ts';

const DATABASE_HANDLED = ['name', 'plan', 'postgresMajorVersion', 'region', 'databaseName', 'user', 'highAvailability', 'readReplicas', 'diskSizeGB', ...PREVIEW_DATABASE_FIELDS];
/** Aurora's limit of readers in a cluster (the schema's maximum of data.postgres.readers). */
const MAX_READERS = 15;
const KEY_VALUE_HANDLED = ['type', 'name', 'plan', 'region', 'maxmemoryPolicy', 'ipAllowList'];

/** The first database as data.postgres; the others are warned by the caller. */
export function postgres(db: BlueprintDatabase, notes: Notes): Raw {
  const { raw, path } = db;
  const out: Raw = {};
  const major = stringAt(raw, 'postgresMajorVersion', `${path}.postgresMajorVersion`, notes);
  if (major !== undefined && POSTGRES_VERSIONS[major]) out.engineVersion = POSTGRES_VERSIONS[major];
  else if (major !== undefined) notes.warn(`${path}.postgresMajorVersion`, `${major}: Aurora PostgreSQL runs majors ${Object.keys(POSTGRES_VERSIONS).join(', ')}: left at terrace's default; upgrade the data before moving it`);
  const plan = stringAt(raw, 'plan', `${path}.plan`, notes);
  const capacity = plan === undefined ? undefined : databaseCapacity(plan);
  if (capacity) Object.assign(out, capacity);
  else if (plan !== undefined) notes.warn(`${path}.plan`, `${JSON.stringify(plan)} is not a Render database plan terrace knows: Aurora capacity left at terrace's default`);
  // A standby in another AZ is one Aurora reader (failover promotes it); read replicas are readers too, and the
  // first reader is the standby, so the two share it.
  const ha = raw.highAvailability === true || (isMap(raw.highAvailability) && raw.highAvailability.enabled === true);
  const replicas = Array.isArray(raw.readReplicas) ? raw.readReplicas.length : 0;
  const readers = Math.min(Math.max(ha ? 1 : 0, replicas), MAX_READERS);
  if (replicas > MAX_READERS) notes.warn(`${path}.readReplicas`, `${replicas} read replicas: an Aurora cluster has at most ${MAX_READERS} readers; data.postgres.readers is ${MAX_READERS}`);
  if (readers > 0) out.readers = readers;
  if (raw.diskSizeGB !== undefined) notes.warn(`${path}.diskSizeGB`, 'Aurora storage grows on its own: no size to set');
  for (const field of ['databaseName', 'user'] as const) {
    if (raw[field] !== undefined) notes.warn(`${path}.${field}`, `terrace names the database after the Environment and creates its own user (DATABASE_NAME, DATABASE_USER): restore the data into that database`);
  }
  const readerNote = readers > 0 ? `, ${readers} reader(s) in other AZs${ha ? ' (the first the failover standby)' : ''}, read at DATABASE_READ_HOST` : '';
  notes.map(path, `database ${db.renderName} -> data.postgres (Aurora Serverless v2 PostgreSQL ${out.engineVersion ?? 'default'}${capacity ? `, ${capacity.minCapacity}-${capacity.maxCapacity} ACUs` : ''}${readerNote}); move the data with pg_dump and pg_restore`);
  warnUnhandled(raw, path, DATABASE_HANDLED, notes);
  return out;
}

/** The first Key Value (or older `redis`) service as data.redis. */
export function redis(service: BlueprintService, notes: Notes): Raw {
  const { raw, path } = service;
  const plan = stringAt(raw, 'plan', `${path}.plan`, notes);
  const known = plan === undefined ? undefined : KEY_VALUE_PLANS[normalizePlan(plan)];
  if (plan !== undefined && !known) notes.warn(`${path}.plan`, `${JSON.stringify(plan)} is not a Key Value plan terrace knows: node type left at terrace's default`);
  const policy = scalar(raw.maxmemoryPolicy);
  const knownPolicy = REDIS_MAXMEMORY_POLICIES.find((p) => p === policy);
  if (policy !== undefined && !knownPolicy) notes.warn(`${path}.maxmemoryPolicy`, `${JSON.stringify(policy)} is not a Redis maxmemory-policy (${REDIS_MAXMEMORY_POLICIES.join(', ')}): left at ElastiCache's default (volatile-lru)`);
  if (raw.ipAllowList !== undefined) notes.warn(`${path}.ipAllowList`, 'ElastiCache is reachable only from the services\' security group inside the VPC: there is no list to keep');
  const out: Raw = known ? { ...known } : {};
  if (knownPolicy) out.maxmemoryPolicy = knownPolicy;
  notes.map(path, `${scalar(raw.type)} ${service.renderName} -> data.redis (ElastiCache Redis${known ? `, ${known.nodeType}, ${known.replicas} replica(s)` : ''}${knownPolicy ? `, maxmemory-policy ${knownPolicy} in a parameter group of its own` : ''}, TLS and an AUTH token)`);
  warnUnhandled(raw, path, KEY_VALUE_HANDLED, notes);
  return out;
}
