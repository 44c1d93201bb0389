import type { ModelContext } from './context.ts';
import { envVarName, fitName, resourceName } from './names.ts';
import { POSTGRES_PORT, REDIS_PORT } from './network.ts';

/** Extensions that only work when loaded at server start; the others need just CREATE EXTENSION. */
const PRELOADED_EXTENSIONS = ['pg_stat_statements', 'pg_cron', 'auto_explain'] as const;

export interface DbParameter {
  readonly name: string;
  readonly value: string;
}

/** An Aurora reader: failover takes the lowest promotion tier first. */
export interface PostgresReaderModel {
  readonly instanceId: string;
  /**
   * Readers in tiers 0 and 1 scale with the writer (ready to take over at its size); tiers 2 to 15 scale on
   * their own load. The first reader is the failover standby (1), the others serve reads (2).
   */
  readonly promotionTier: number;
  /** Index into the AZs ordered from the writer's: 0 is the first AZ after the writer's. */
  readonly azIndex: number;
}

export interface PostgresModel {
  readonly clusterId: string;
  /** The writer. */
  readonly instanceId: string;
  readonly readers: readonly PostgresReaderModel[];
  readonly engineVersion: string;
  /** Parameter group family, e.g. `aurora-postgresql16`. */
  readonly family: string;
  readonly parameterGroupName: string;
  readonly subnetGroupName: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly extensions: readonly string[];
  readonly parameters: readonly DbParameter[];
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  readonly databaseName: string;
  readonly masterUsername: string;
  /** The apps' own user, IAM-authenticated (`rds_iam`): created by the setup task, never the master user. */
  readonly appUsername: string;
  /** The one-off ECS task that creates the app user and the extensions (run by the controller after apply). */
  readonly setup: DbSetupModel;
  /** Application Auto Scaling of the reader count (rds:cluster:ReadReplicaCount), from `readers` up. */
  readonly readerAutoscaling?: { readonly min: number; readonly max: number; readonly cpuTarget: number; readonly policyName: string };
  readonly port: number;
  /** Without deletion protection (dev), destroy skips the final snapshot. */
  readonly finalSnapshotId?: string;
}

/** A psql client image pinned by tag (ECR Public's copy of Docker's official image: no Docker Hub pull limits). */
export const DB_SETUP_IMAGE = 'public.ecr.aws/docker/library/postgres:17.2-alpine';
/** The SQL arrives in this variable as a RunTask override: the task definition never changes with it. */
export const DB_SETUP_SQL_VAR = 'SETUP_SQL';

export interface DbSetupModel {
  readonly clusterName: string;
  readonly family: string;
  readonly container: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly logGroupName: string;
  readonly executionRoleName: string;
}

export interface RedisModel {
  readonly replicationGroupId: string;
  readonly nodeType: string;
  readonly replicas: number;
  readonly numCacheClusters: number;
  /** Failover and multi-AZ need a replica to fail over to. */
  readonly automaticFailover: boolean;
  readonly engineVersion: string;
  /** `default.redis7`, or the custom group's name. */
  readonly parameterGroupName: string;
  /** A group of terrace's own, only when the spec sets a parameter: absent, ElastiCache's default group serves. */
  readonly parameterGroup?: { readonly name: string; readonly family: string; readonly parameters: readonly DbParameter[] };
  readonly subnetGroupName: string;
  readonly port: number;
  readonly authSecretName: string;
  readonly memberClusterIds: readonly string[];
}

export interface QueueModel {
  /** The spec's queue name: construct ids and env var names derive from it. */
  readonly key: string;
  readonly name: string;
  readonly dlqName: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** SQS keeps dead letters the longest it can (14 days) so someone can look at them. */
  readonly dlqRetentionSeconds: number;
  readonly urlEnvVar: string;
}

export interface DataModel {
  readonly postgres?: PostgresModel;
  readonly redis?: RedisModel;
  readonly queues: readonly QueueModel[];
}

export function dataModel({ env, spec }: ModelContext): DataModel {
  const data = spec.data;
  if (!data) throw new Error(`${env} declares no data tier`);
  return {
    postgres: data.postgres && postgresModel(env, data.postgres),
    redis: data.redis && redisModel(env, data.redis),
    queues: data.queues.map((q) => {
      const suffix = q.fifo ? '.fifo' : '';
      // Room for `-dlq` and `.fifo` within SQS's 80 characters.
      const base = fitName(resourceName(env, 'data', q.name), 80 - '-dlq.fifo'.length);
      return {
        key: q.name,
        name: base + suffix,
        dlqName: `${base}-dlq${suffix}`,
        fifo: q.fifo,
        visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
        maxReceiveCount: q.maxReceiveCount,
        dlqRetentionSeconds: 1_209_600,
        urlEnvVar: envVarName('QUEUE', q.name, 'URL'),
      };
    }),
  };
}

type PostgresSpec = NonNullable<NonNullable<ModelContext['spec']['data']>['postgres']>;
type RedisSpec = NonNullable<NonNullable<ModelContext['spec']['data']>['redis']>;

function postgresModel(env: string, pg: PostgresSpec): PostgresModel {
  const clusterId = fitName(resourceName(env, 'data', 'pg'), 63);
  const major = pg.engineVersion.split('.')[0];
  const databaseName = env.replace(/-/g, '_');
  return {
    clusterId,
    instanceId: fitName(clusterId, 63, '-1'),
    readers: Array.from({ length: pg.readers }, (_, i) => ({
      instanceId: fitName(clusterId, 63, `-${i + 2}`),
      promotionTier: i === 0 ? 1 : 2,
      azIndex: i,
    })),
    engineVersion: pg.engineVersion,
    family: `aurora-postgresql${major}`,
    parameterGroupName: fitName(clusterId, 255, `-pg${major}`),
    subnetGroupName: clusterId,
    minCapacity: pg.minCapacity,
    maxCapacity: pg.maxCapacity,
    extensions: [...pg.extensions],
    parameters: postgresParameters(pg.extensions, databaseName),
    backupRetentionDays: pg.backupRetentionDays,
    deletionProtection: pg.deletionProtection,
    databaseName,
    masterUsername: 'terrace_admin',
    appUsername: 'terrace_app',
    setup: {
      clusterName: resourceName(env, 'data', 'setup'),
      family: fitName(resourceName(env, 'data', 'db-setup'), 255),
      container: 'psql',
      image: DB_SETUP_IMAGE,
      // ON_ERROR_STOP: the first failing statement fails the task (exit 3); -X: no psqlrc.
      command: ['sh', '-c', `printf '%s' "$${DB_SETUP_SQL_VAR}" | psql -X -v ON_ERROR_STOP=1 -f -`],
      logGroupName: `/terrace/${env}/db-setup`,
      executionRoleName: fitName(resourceName(env, 'data', 'db-setup'), 64, '-exec'),
    },
    readerAutoscaling: pg.readerAutoscaling && {
      min: pg.readers,
      max: pg.readerAutoscaling.maxReaders,
      cpuTarget: pg.readerAutoscaling.cpuTarget,
      policyName: `${clusterId}-readers-cpu`,
    },
    port: POSTGRES_PORT,
    finalSnapshotId: pg.deletionProtection ? `${clusterId}-final` : undefined,
  };
}

/** Cluster parameters: TLS only, plus what the requested extensions need at server start. */
export function postgresParameters(extensions: readonly string[], databaseName: string): DbParameter[] {
  const preload = PRELOADED_EXTENSIONS.filter((e) => extensions.includes(e));
  const params: DbParameter[] = [{ name: 'rds.force_ssl', value: '1' }];
  if (preload.length > 0) params.push({ name: 'shared_preload_libraries', value: preload.join(',') });
  if (preload.includes('pg_cron')) params.push({ name: 'cron.database_name', value: databaseName });
  if (preload.includes('auto_explain')) params.push({ name: 'auto_explain.log_min_duration', value: '1000' });
  return params;
}

function redisModel(env: string, redis: RedisSpec): RedisModel {
  // ElastiCache ids: 40 characters, no double hyphen.
  const replicationGroupId = fitName(resourceName(env, 'data', 'redis').replace(/-+/g, '-'), 40);
  const numCacheClusters = 1 + redis.replicas;
  const engineVersion = '7.1';
  // The parameter group family follows the engine's major version: redis7 for 7.x.
  const family = `redis${engineVersion.split('.')[0]}`;
  const parameterGroup = redis.maxmemoryPolicy
    ? { name: fitName(replicationGroupId, 255, `-${family}`), family, parameters: [{ name: 'maxmemory-policy', value: redis.maxmemoryPolicy }] }
    : undefined;
  return {
    replicationGroupId,
    nodeType: redis.nodeType,
    replicas: redis.replicas,
    numCacheClusters,
    automaticFailover: redis.replicas > 0,
    engineVersion,
    parameterGroupName: parameterGroup?.name ?? `default.${family}`,
    parameterGroup,
    subnetGroupName: replicationGroupId,
    port: REDIS_PORT,
    authSecretName: `terrace/${env}/redis-auth-token`,
    memberClusterIds: Array.from({ length: numCacheClusters }, (_, i) => `${replicationGroupId}-${String(i + 1).padStart(3, '0')}`),
  };
}
