// Test helpers: the example documents, parsed and defaulted as the controller would see them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Environment } from '../../specs/environment.ts';
import { loadDocuments } from '../../specs/load.ts';
import { localTarget, type Target } from '../../specs/target.ts';
import { parseEnvironment } from '../../specs/validate.ts';

const examples = fileURLToPath(new URL('../../specs/examples/', import.meta.url));

export const LOCAL_TARGET: Target = localTarget();

export function example(file: 'dev.yaml' | 'staging-prod.yaml'): { environments: Environment[]; targets: Target[] } {
  const docs = loadDocuments(readFileSync(examples + file, 'utf8'), file);
  return {
    environments: docs.filter((d): d is Environment => d.kind === 'Environment'),
    targets: docs.filter((d): d is Target => d.kind === 'Target'),
  };
}

/** The dev example (specs/examples/dev.yaml), under another name and with `edit` applied to its spec. */
export function devEnvironment(name = 'chat-dev', edit: (spec: Record<string, any>) => void = () => {}): Environment {
  const env = example('dev.yaml').environments[0];
  return withSpec({ ...env, metadata: { ...env.metadata, name } }, edit);
}

/** The staging or prod example with its AWS target. */
export function awsExample(name: 'chat-staging' | 'chat-prod'): { environment: Environment; target: Target } {
  const { environments, targets } = example('staging-prod.yaml');
  const environment = environments.find((e) => e.metadata.name === name)!;
  return { environment, target: targets.find((t) => t.metadata.name === environment.spec.target)! };
}

/** A copy of an environment with changes applied to its plain-object form, re-validated. */
export function withSpec(env: Environment, change: (spec: Record<string, any>) => void): Environment {
  const copy = structuredClone(env) as Environment & { spec: Record<string, any> };
  change(copy.spec);
  return parseEnvironment(copy);
}

export interface TfJson {
  resource?: Record<string, Record<string, Record<string, any>>>;
  data?: Record<string, Record<string, Record<string, any>>>;
  output?: Record<string, { value: unknown }>;
  terraform?: Record<string, any>;
  provider?: Record<string, any>;
}

/** Every resource of a type, by name. */
export function resources(json: string | TfJson, type: string): Record<string, Record<string, any>> {
  const tf = typeof json === 'string' ? (JSON.parse(json) as TfJson) : json;
  return tf.resource?.[type] ?? {};
}

/** One tier of the staging or prod example, synthesized and parsed. */
export async function awsTier(name: 'chat-staging' | 'chat-prod', tier: import('../../specs/environment.ts').Tier, inputs?: import('../index.ts').SynthInput['inputs'], env?: Environment) {
  const { synthesizeTier } = await import('../index.ts');
  const { environment, target } = awsExample(name);
  const result = synthesizeTier({ environment: env ?? environment, target, tier, inputs });
  return { result, tf: JSON.parse(result.json) as TfJson };
}

/** Plain outputs of applied tiers, as the controller would pass them. */
export const FAKE_INPUTS = {
  network: {
    vpcId: 'vpc-0123', vpcCidr: '10.20.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-pub1', 'subnet-pub2'], privateSubnetIds: ['subnet-priv1', 'subnet-priv2'],
    albSecurityGroupId: 'sg-alb', serviceSecurityGroupId: 'sg-svc', postgresSecurityGroupId: 'sg-pg', redisSecurityGroupId: 'sg-redis',
    natGatewayIds: ['nat-0123'], logsKmsKeyArn: 'arn:aws:kms:eu-west-1:222222222222:key/00000000-0000-4000-8000-000000000000',
  },
  data: {
    postgresEndpoint: 'pg.cluster-x.eu-west-1.rds.amazonaws.com', postgresReaderEndpoint: 'pg.cluster-ro-x', postgresPort: 5432, postgresDatabase: 'chat_staging',
    postgresSecretArn: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:rds!cluster-1-AbCdEf', postgresClusterId: 'chat-staging-data-pg', postgresClusterResourceId: 'cluster-ABC',
    postgresAppUser: 'terrace_app', dbSetupClusterArn: 'arn:aws:ecs:eu-west-1:222222222222:cluster/chat-staging-data-setup',
    dbSetupTaskDefinitionArn: 'arn:aws:ecs:eu-west-1:222222222222:task-definition/chat-staging-data-db-setup:1', dbSetupContainer: 'psql',
    dbSetupSubnetIds: ['subnet-priv1', 'subnet-priv2'], dbSetupSecurityGroupId: 'sg-svc', dbSetupLogGroup: '/terrace/chat-staging/db-setup',
    redisEndpoint: 'master.redis.x.euw1.cache.amazonaws.com', redisPort: 6379, redisAuthSecretArn: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:terrace/chat-staging/redis-auth-token-XyZ123',
    redisReplicationGroupId: 'chat-staging-data-redis', redisMemberClusterIds: ['chat-staging-data-redis-001', 'chat-staging-data-redis-002'],
    queueNames: ['q-default', 'q-notifications.fifo'], queueUrls: ['https://sqs/q-default', 'https://sqs/q-notifications.fifo'],
    queueArns: ['arn:aws:sqs:eu-west-1:222222222222:q-default', 'arn:aws:sqs:eu-west-1:222222222222:q-notifications.fifo'],
    dlqNames: ['q-default-dlq', 'q-notifications-dlq.fifo'], dlqArns: ['arn:dlq1', 'arn:dlq2'],
  },
} satisfies import('../index.ts').SynthInput['inputs'];

/**
 * A production environment on the prod example's target, as a review would look at one: a Daphne web service
 * (WebSockets), a Celery worker and beat (one scheduler, no port), a FIFO queue, pgvector, two Redis replicas,
 * an SPA frontend with its own domain.
 */
export function productionEnvironment(name = 'shop-prod'): { environment: Environment; target: Target } {
  const { target } = awsExample('chat-prod');
  const image = '333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop:2.0.1';
  const secrets = { DJANGO_SECRET_KEY: 'shop/prod/django-secret-key' };
  const env = { DJANGO_SETTINGS_MODULE: 'shop.settings.prod' };
  const environment = parseEnvironment({
    apiVersion: 'terrace.dev/v1alpha1',
    kind: 'Environment',
    metadata: { name, labels: { app: 'shop', stage: 'prod', team: 'payments' } },
    spec: {
      target: target.metadata.name,
      approval: 'manual',
      network: { cidr: '10.40.0.0/16', azCount: 3, natGateways: 'perAz', interfaceEndpoints: true },
      data: {
        postgres: { engineVersion: '16.6', minCapacity: 1, maxCapacity: 16, extensions: ['pg_stat_statements', 'pgvector'], backupRetentionDays: 14, deletionProtection: true, readers: 1, readerAutoscaling: { maxReaders: 3 } },
        redis: { nodeType: 'cache.r7g.large', replicas: 2 },
        queues: [{ name: 'default' }, { name: 'orders', fifo: true, visibilityTimeoutSeconds: 120, maxReceiveCount: 3 }],
      },
      compute: {
        domain: { name: 'shop.example.com', certificateArn: 'arn:aws:acm:eu-west-1:333333333333:certificate/12345678-1234-1234-1234-123456789012' },
        services: [
          {
            name: 'web', image, command: ['daphne', '-b', '0.0.0.0', '-p', '8000', 'shop.asgi:application'], port: 8000, cpu: 1024, memory: 2048,
            desiredCount: 3, autoscaling: { min: 3, max: 12, cpuTarget: 60, requestsPerTarget: 800, connectionsPerTarget: 2000 }, public: true, healthCheckPath: '/healthz',
            websocket: { idleTimeoutSeconds: 3600, stickinessSeconds: 86400 }, env, secrets,
          },
          { name: 'worker', image, command: ['celery', '-A', 'shop', 'worker', '-l', 'info'], cpu: 1024, memory: 2048, desiredCount: 2, autoscaling: { min: 2, max: 10, cpuTarget: 70, queue: 'orders' }, env, secrets },
          { name: 'beat', image, command: ['celery', '-A', 'shop', 'beat', '-l', 'info'], cpu: 256, memory: 512, desiredCount: 1, singleton: true, env, secrets },
        ],
        // A Render cron job as it imports: the worker's image run by EventBridge Scheduler (user text escaped).
        schedules: [{ name: 'nightly', schedule: 'cron(0 3 * * ? *)', service: 'worker', command: ['sh', '-c', 'echo ${HOME}'] }],
      },
      frontend: { domain: { name: 'www.shop.example.com', certificateArn: 'arn:aws:acm:us-east-1:333333333333:certificate/87654321-4321-4321-4321-210987654321' }, spa: true, priceClass: 'PriceClass_100' },
      observability: { cloudtrail: true, logRetentionDays: 90, alarmEmail: 'oncall@shop.example.com', xray: true },
    },
  });
  return { environment, target };
}
