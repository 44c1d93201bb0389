import { warnUnhandled } from './fields.ts';
import { isMap, scalar, stringAt, type Notes, type Raw } from './notes.ts';
import type { BlueprintDatabase, BlueprintService } from './scope.ts';
import { KEY_VALUE_PLANS, POSTGRES_VERSIONS, databaseCapacity, normalizePlan } from './tables.ts';

const DATABASE_HANDLED = ['name', 'plan', 'postgresMajorVersion', 'region', 'databaseName', 'user', 'highAvailability', 'readReplicas', 'diskSizeGB'];
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
  const ha = isMap(raw.highAvailability) && raw.highAvailability.enabled === true;
  if (ha) notes.warn(`${path}.highAvailability`, 'terrace runs one Aurora instance (the writer) yet: add a reader instance in another AZ to the cluster for failover');
  if (Array.isArray(raw.readReplicas) && raw.readReplicas.length > 0) {
    notes.warn(`${path}.readReplicas`, `${raw.readReplicas.length} read replica(s): terrace runs no Aurora readers yet; add reader instances to the cluster and read from its reader endpoint`);
  }
  if (raw.diskSizeGB !== undefined) notes.warn(`${path}.diskSizeGB`, 'Aurora storage grows on its own: no size to set');
  for (const field of ['databaseName', 'user'] as const) {
    if (raw[field] !== undefined) notes.warn(`${path}.${field}`, `terrace names the database after the Environment and creates its own user (DATABASE_NAME, DATABASE_USER): restore the data into that database`);
  }
  notes.map(path, `database ${db.renderName} -> data.postgres (Aurora Serverless v2 PostgreSQL ${out.engineVersion ?? 'default'}${capacity ? `, ${capacity.minCapacity}-${capacity.maxCapacity} ACUs` : ''}); move the data with pg_dump and pg_restore`);
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
  if (policy !== undefined) notes.warn(`${path}.maxmemoryPolicy`, `${policy}: terrace uses ElastiCache's default parameter group (volatile-lru); set maxmemory-policy ${policy} in a custom parameter group`);
  if (raw.ipAllowList !== undefined) notes.warn(`${path}.ipAllowList`, 'ElastiCache is reachable only from the services\' security group inside the VPC: there is no list to keep');
  const out: Raw = known ? { ...known } : {};
  notes.map(path, `${scalar(raw.type)} ${service.renderName} -> data.redis (ElastiCache Redis${known ? `, ${known.nodeType}, ${known.replicas} replica(s)` : ''}, TLS and an AUTH token)`);
  warnUnhandled(raw, path, KEY_VALUE_HANDLED, notes);
  return out;
}
