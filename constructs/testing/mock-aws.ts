// Plausible AWS values for `terraform test` with `mock_provider "aws"`: ARNs of the right form where the provider
// validates them (the mock's random strings are not ARNs), and other tiers' outputs for `override_data` of the
// `terraform_remote_state` data sources that join the tiers.
import { mockDefaults, type MockApplyRoot } from './mock-apply.ts';

export interface MockAccount {
  readonly accountId: string;
  readonly region: string;
}

/** The service part of an ARN, by the resource type's prefix (longest prefix first). */
const SERVICES: [string, string][] = [
  ['aws_cloudwatch_log_', 'logs'], ['aws_cloudwatch_event_', 'events'], ['aws_cloudwatch_', 'cloudwatch'], ['aws_iam_', 'iam'],
  ['aws_kms_', 'kms'], ['aws_s3_', 's3'], ['aws_lb', 'elasticloadbalancing'], ['aws_sns_', 'sns'], ['aws_sqs_', 'sqs'],
  ['aws_ecs_', 'ecs'], ['aws_secretsmanager_', 'secretsmanager'], ['aws_rds_', 'rds'], ['aws_db_', 'rds'],
  ['aws_elasticache_', 'elasticache'], ['aws_wafv2_', 'wafv2'], ['aws_cloudfront_', 'cloudfront'], ['aws_cloudtrail', 'cloudtrail'],
  ['aws_service_discovery_', 'servicediscovery'], ['aws_appautoscaling_', 'autoscaling'], ['aws_scheduler_', 'scheduler'],
];

export function mockArn(type: string, { accountId, region }: MockAccount): string {
  const service = SERVICES.find(([prefix]) => type.startsWith(prefix))?.[1] ?? 'ec2';
  const name = type.replace(/^aws_/, '');
  switch (service) {
    case 'iam': return `arn:aws:iam::${accountId}:${name.replace(/^iam_/, '')}/terrace/mock`;
    case 's3': return `arn:aws:s3:::mock-${accountId}`;
    case 'kms': return `arn:aws:kms:${region}:${accountId}:key/00000000-0000-4000-8000-000000000000`;
    case 'secretsmanager': return `arn:aws:secretsmanager:${region}:${accountId}:secret:terrace/mock-AbCdEf`;
    case 'logs': return `arn:aws:logs:${region}:${accountId}:log-group:/terrace/mock`;
    case 'sqs': case 'sns': return `arn:aws:${service}:${region}:${accountId}:mock`;
    case 'cloudfront': return `arn:aws:cloudfront::${accountId}:${name.replace(/^cloudfront_/, '')}/EMOCK0000000`;
    case 'wafv2': return `arn:aws:wafv2:${region}:${accountId}:regional/webacl/mock/00000000-0000-4000-8000-000000000000`;
    case 'elasticloadbalancing':
      return type === 'aws_lb_target_group'
        ? `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/mock/0123456789abcdef`
        : `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/app/mock/0123456789abcdef`;
    default: return `arn:aws:${service}:${region}:${accountId}:${name}/mock`;
  }
}

/** Fixed values the mock could not invent: ARNs, ARN suffixes, availability zones. */
function fixedValues(kind: 'resource' | 'data', type: string, computed: string[], account: MockAccount): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (computed.includes('arn')) values.arn = mockArn(type, account);
  if (type === 'aws_lb') values.arn_suffix = 'app/mock/0123456789abcdef';
  if (type === 'aws_lb_target_group') values.arn_suffix = 'targetgroup/mock/0123456789abcdef';
  if (kind === 'data' && type === 'aws_availability_zones') Object.assign(values, { names: ['a', 'b', 'c'].map((z) => `${account.region}${z}`), zone_ids: ['euw1-az1', 'euw1-az2', 'euw1-az3'] });
  // RDS-managed master secret: a computed block the mock leaves empty.
  if (computed.includes('master_user_secret')) values.master_user_secret = [{ secret_arn: `arn:aws:secretsmanager:${account.region}:${account.accountId}:secret:rds!cluster-00000000-0000-4000-8000-000000000000-AbCdEf`, kms_key_id: '', secret_status: 'active' }];
  // Redis AUTH takes 16 to 128 characters; the mock's random strings are shorter.
  if (kind === 'data' && type === 'aws_secretsmanager_random_password') values.random_password = 'MockPassword0123456789abcdefABCDEF';
  if (kind === 'data' && type === 'aws_caller_identity') Object.assign(values, { account_id: account.accountId });
  return values;
}

/**
 * One `mock_provider "aws"` block (and one per alias the stacks use) with defaults for every resource and data
 * source type the stacks declare.
 */
export async function mockProviders(root: MockApplyRoot, jsons: readonly string[], account: MockAccount): Promise<string> {
  const resources = new Set<string>();
  const data = new Set<string>();
  const aliases = new Set<string>();
  for (const json of jsons) {
    const tf = JSON.parse(json) as { resource?: Record<string, unknown>; data?: Record<string, unknown>; provider?: { aws?: { alias?: string }[] } };
    Object.keys(tf.resource ?? {}).forEach((t) => resources.add(t));
    Object.keys(tf.data ?? {}).filter((t) => t.startsWith('aws_')).forEach((t) => data.add(t));
    (tf.provider?.aws ?? []).forEach((p) => p.alias && aliases.add(p.alias));
  }
  const blocks: string[] = [];
  for (const [kind, types] of [['resource', resources], ['data', data]] as const) {
    for (const type of [...types].sort()) {
      const values = fixedValues(kind, type, await root.computed(kind, type), account);
      if (Object.keys(values).length > 0) blocks.push(mockDefaults(kind, type, values));
    }
  }
  const body = blocks.join('\n');
  return [undefined, ...[...aliases].sort()].map((alias) => `mock_provider "aws" {\n${alias ? `  alias = "${alias}"\n` : ''}${body}\n}\n`).join('\n');
}

/** Known outputs' plausible values; others by their name's form (a list for plurals, an ARN for `...Arn`). */
export function mockOutputs(names: readonly string[], env: string, account: MockAccount): Record<string, unknown> {
  const { accountId, region } = account;
  const three = (f: (i: number) => string) => [1, 2, 3].map(f);
  const known: Record<string, unknown> = {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidr: '10.40.0.0/16',
    availabilityZones: three((i) => `${region}${'abc'[i - 1]}`),
    publicSubnetIds: three((i) => `subnet-0public${i}`),
    privateSubnetIds: three((i) => `subnet-0private${i}`),
    natGatewayIds: three((i) => `nat-0123456789abcdef${i}`),
    postgresEndpoint: `${env}.cluster-abc.${region}.rds.amazonaws.com`,
    postgresReaderEndpoint: `${env}.cluster-ro-abc.${region}.rds.amazonaws.com`,
    postgresPort: 5432,
    redisPort: 6379,
    postgresClusterResourceId: 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    redisEndpoint: `master.${env}.abc.euw1.cache.amazonaws.com`,
    queueUrls: three((i) => `https://sqs.${region}.amazonaws.com/${accountId}/${env}-queue-${i}`),
    clusterArn: `arn:aws:ecs:${region}:${accountId}:cluster/${env}`,
    albArnSuffix: 'app/mock/0123456789abcdef',
    albDnsName: `mock-123.${region}.elb.amazonaws.com`,
    albZoneId: 'Z32O12XQLNTSW2',
    targetGroupArnSuffixes: three((i) => `targetgroup/mock-${i}/0123456789abcdef`),
    distributionId: 'EMOCK0000000',
    distributionDomainName: 'd111111abcdef8.cloudfront.net',
  };
  const arn = (name: string, i = 0) => {
    const n = name.toLowerCase();
    if (n.includes('secret')) return `arn:aws:secretsmanager:${region}:${accountId}:secret:terrace/${env}/${name}${i}-AbCdEf`;
    if (n.includes('queue') || n.includes('dlq')) return `arn:aws:sqs:${region}:${accountId}:${env}-${name}${i}`;
    if (n.includes('kms') || n.includes('key')) return `arn:aws:kms:${region}:${accountId}:key/00000000-0000-4000-8000-00000000000${i}`;
    if (n.includes('topic')) return `arn:aws:sns:${region}:${accountId}:${env}-${name}`;
    if (n.includes('role')) return `arn:aws:iam::${accountId}:role/terrace/${env}-${name}${i}`;
    if (n.includes('distribution')) return `arn:aws:cloudfront::${accountId}:distribution/EMOCK0000000`;
    if (n.includes('bucket')) return `arn:aws:s3:::${env}-${name.toLowerCase()}`;
    if (n.includes('alb')) return `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/app/mock/0123456789abcdef`;
    if (n.includes('cluster')) return `arn:aws:ecs:${region}:${accountId}:cluster/${env}`;
    return `arn:aws:ec2:${region}:${accountId}:${name}/mock-${i}`;
  };
  return Object.fromEntries(names.map((name) => {
    if (name in known) return [name, known[name]];
    if (/Arns$/.test(name)) return [name, three((i) => arn(name, i))];
    if (/Arn$/.test(name)) return [name, arn(name)];
    if (/Port$/.test(name)) return [name, 5432];
    if (/SecurityGroupId$/.test(name)) return [name, `sg-0${name.replace(/SecurityGroupId$/, '').toLowerCase()}`];
    if (/(Ids|Names|Urls|Suffixes|Zones|Endpoints)$/.test(name)) return [name, three((i) => `${env}-${name}-${i}`)];
    return [name, `${env}-${name}`];
  }));
}

/** HCL for a value: JSON is valid HCL for strings, numbers, lists and objects with quoted keys. */
export function hcl(value: unknown): string {
  return JSON.stringify(value);
}
