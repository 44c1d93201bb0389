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
  },
  data: {
    postgresEndpoint: 'pg.cluster-x.eu-west-1.rds.amazonaws.com', postgresReaderEndpoint: 'pg.cluster-ro-x', postgresPort: 5432, postgresDatabase: 'chat_staging',
    postgresSecretArn: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:rds!cluster-1-AbCdEf', postgresClusterId: 'chat-staging-data-pg', postgresClusterResourceId: 'cluster-ABC',
    redisEndpoint: 'master.redis.x.euw1.cache.amazonaws.com', redisPort: 6379, redisAuthSecretArn: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:terrace/chat-staging/redis-auth-token-XyZ123',
    redisReplicationGroupId: 'chat-staging-data-redis', redisMemberClusterIds: ['chat-staging-data-redis-001', 'chat-staging-data-redis-002'],
    queueNames: ['q-default', 'q-notifications.fifo'], queueUrls: ['https://sqs/q-default', 'https://sqs/q-notifications.fifo'],
    queueArns: ['arn:aws:sqs:eu-west-1:222222222222:q-default', 'arn:aws:sqs:eu-west-1:222222222222:q-notifications.fifo'],
    dlqNames: ['q-default-dlq', 'q-notifications-dlq.fifo'], dlqArns: ['arn:dlq1', 'arn:dlq2'],
  },
} satisfies import('../index.ts').SynthInput['inputs'];
