import { servicePort } from '../../specs/environment.ts';
import { subnetCidrs } from './cidr.ts';
import { logRetentionDays, partitionOf, type ModelContext } from './context.ts';
import { fitName, resourceName } from './names.ts';

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
export const ANYWHERE = '0.0.0.0/0';

export type SgKey = 'alb' | 'services' | 'postgres' | 'redis';
export const SG_KEYS: readonly SgKey[] = ['alb', 'services', 'postgres', 'redis'];

/** One rule of a security group: traffic from/to a CIDR or another of the environment's groups. */
export interface SgRule {
  readonly description: string;
  readonly port: number;
  readonly cidr?: string;
  readonly peer?: SgKey;
}

export interface SecurityGroupModel {
  readonly key: SgKey;
  readonly name: string;
  readonly description: string;
  readonly ingress: readonly SgRule[];
  readonly egress: readonly SgRule[];
}

export interface SubnetModel {
  readonly name: string;
  readonly cidr: string;
  readonly azIndex: number;
}

export interface NetworkModel {
  readonly name: string;
  readonly cidr: string;
  readonly azCount: number;
  readonly publicSubnets: readonly SubnetModel[];
  readonly privateSubnets: readonly SubnetModel[];
  /** NAT gateways, each in the public subnet of the same index. */
  readonly natGateways: readonly { readonly name: string; readonly subnetIndex: number }[];
  /** Per AZ, which NAT gateway the private route table sends 0.0.0.0/0 to (none without NAT). */
  readonly privateRouteNat: readonly (number | undefined)[];
  readonly securityGroups: readonly SecurityGroupModel[];
  readonly flowLogs: { readonly logGroupName: string; readonly retentionDays: number; readonly roleName: string };
  /** The KMS key of the environment's log groups (flow logs here, services' in compute): logs may use it for those only. */
  readonly logsKey?: LogsKeyModel;
  /** Interface endpoints' services (`com.amazonaws.<region>.<service>`), none unless spec.network.interfaceEndpoints. */
  readonly interfaceEndpoints?: readonly string[];
  /** The three above are an environment's; the control plane's VPC (constructs/control-plane) has none of them. */
  readonly region?: string;
}

export interface LogsKeyModel {
  readonly alias: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** ArnLike pattern of the log groups the key encrypts: every log group terrace names `/terrace/<env>/...`. */
  readonly logGroupArns: string;
}

/** A web ACL in front of a public endpoint: AWS's common rule set, then a rate limit per client address. */
export interface WafModel {
  readonly name: string;
  readonly scope: 'REGIONAL' | 'CLOUDFRONT';
  /** Requests one address may make in five minutes (WAF's window) before it is blocked. */
  readonly rateLimit: number;
}

/** The ALB's edge: deletion protection, access logs and its WAF (spec.network), applied with the compute tier. */
export interface AlbEdgeModel {
  readonly deletionProtection: boolean;
  readonly accessLogs: { readonly bucketName: string; readonly expireAfterDays: number; readonly region: string; readonly accountId: string; readonly partition: string };
  readonly waf?: WafModel;
}

export function albEdgeModel({ env, spec, target }: ModelContext): AlbEdgeModel {
  const network = spec.network;
  const accountId = target.spec.accountId ?? '000000000000';
  const name = resourceName(env, 'compute');
  const waf = network?.waf ?? { enabled: true, rateLimit: 2000 };
  return {
    deletionProtection: network?.albDeletionProtection ?? true,
    accessLogs: {
      // A long environment name is shortened, never the suffix: the bootstrap's grants match *-compute-alb-logs-*.
      bucketName: fitName(env, 63, `-compute-alb-logs-${accountId}`),
      expireAfterDays: logRetentionDays(spec),
      region: target.spec.region ?? 'local',
      accountId,
      partition: partitionOf(target),
    },
    waf: waf.enabled ? { name: fitName(`${name}-alb`, 128), scope: 'REGIONAL', rateLimit: waf.rateLimit } : undefined,
  };
}

/** What the interface endpoints serve: image pulls (ECR api and dkr), secrets, queues, logs, role sessions. */
export const INTERFACE_ENDPOINT_SERVICES = ['ecr.api', 'ecr.dkr', 'secretsmanager', 'sqs', 'logs', 'sts'] as const;

/** The environment's log-group KMS key, named the same in every tier that creates or uses it. */
export function logsKeyModel({ env, target }: Pick<ModelContext, 'env' | 'target'>): LogsKeyModel {
  const partition = partitionOf(target);
  const region = target.spec.region ?? 'local';
  const accountId = target.spec.accountId ?? '000000000000';
  return { alias: `alias/terrace/${env}/logs`, partition, region, accountId, logGroupArns: `arn:${partition}:logs:${region}:${accountId}:log-group:/terrace/${env}/*` };
}

export function networkModel({ env, spec, target }: ModelContext): NetworkModel {
  const network = spec.network;
  if (!network) throw new Error(`${env} declares no network tier`);
  const name = resourceName(env, 'network');
  const { azCount } = network;
  const cidrs = subnetCidrs(network.cidr, azCount);
  const natCount = network.natGateways === 'perAz' ? azCount : network.natGateways;
  const natGateways = Array.from({ length: natCount }, (_, i) => ({ name: `${name}-nat-${i + 1}`, subnetIndex: i }));
  return {
    name,
    cidr: network.cidr,
    azCount,
    publicSubnets: cidrs.public.map((cidr, i) => ({ name: `${name}-public-${i + 1}`, cidr, azIndex: i })),
    privateSubnets: cidrs.private.map((cidr, i) => ({ name: `${name}-private-${i + 1}`, cidr, azIndex: i })),
    natGateways,
    privateRouteNat: Array.from({ length: azCount }, (_, i) => (natCount === 0 ? undefined : natCount === 1 ? 0 : i)),
    securityGroups: securityGroups(name, publicPorts({ spec }), servicePorts({ spec })),
    flowLogs: {
      logGroupName: `/terrace/${env}/vpc-flow-logs`,
      retentionDays: logRetentionDays(spec),
      roleName: `${name}-flow-logs`,
    },
    logsKey: logsKeyModel({ env, target }),
    interfaceEndpoints: network.interfaceEndpoints ? INTERFACE_ENDPOINT_SERVICES : [],
    region: target.spec.region ?? 'local',
  };
}

/** Ports the ALB forwards to: those of public services, each once. */
export function publicPorts({ spec }: Pick<ModelContext, 'spec'>): number[] {
  const ports = (spec.compute?.services ?? []).filter((s) => s.public).map((s) => servicePort(s)!);
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** Ports services listen on, each once: what services may open to each other (by their private DNS names). */
export function servicePorts({ spec }: Pick<ModelContext, 'spec'>): number[] {
  // Services without a port (workers) take no connections.
  const ports = (spec.compute?.services ?? []).flatMap((s) => servicePort(s) ?? []);
  return [...new Set(ports)].sort((a, b) => a - b);
}

function securityGroups(name: string, ports: number[], ownPorts: number[]): SecurityGroupModel[] {
  return [
    {
      key: 'alb',
      name: `${name}-alb`,
      description: 'ALB: HTTPS from anywhere, HTTP only to redirect',
      ingress: [
        { description: 'HTTPS from anywhere', port: 443, cidr: ANYWHERE },
        { description: 'HTTP from anywhere, redirected to HTTPS', port: 80, cidr: ANYWHERE },
      ],
      egress: ports.map((port) => ({ description: `to services on ${port}`, port, peer: 'services' as const })),
    },
    {
      key: 'services',
      name: `${name}-services`,
      // Kept as first written although services now also take each other's ports: a new description replaces the group.
      description: 'ECS services: from the ALB on service ports only',
      ingress: [
        ...ports.map((port) => ({ description: `from the ALB on ${port}`, port, peer: 'alb' as const })),
        // Services reach each other by Cloud Map name, on the ports services listen on and no other.
        ...ownPorts.map((port) => ({ description: `from services on ${port}`, port, peer: 'services' as const })),
      ],
      egress: [
        // AWS APIs, Secrets Manager and image registries; nothing else leaves on other ports.
        { description: 'HTTPS to AWS APIs and registries', port: 443, cidr: ANYWHERE },
        { description: 'to Postgres', port: POSTGRES_PORT, peer: 'postgres' },
        { description: 'to Redis', port: REDIS_PORT, peer: 'redis' },
        ...ownPorts.map((port) => ({ description: `to services on ${port}`, port, peer: 'services' as const })),
      ],
    },
    {
      key: 'postgres',
      name: `${name}-postgres`,
      description: 'Aurora PostgreSQL: from ECS services only',
      ingress: [{ description: 'Postgres from services', port: POSTGRES_PORT, peer: 'services' }],
      egress: [],
    },
    {
      key: 'redis',
      name: `${name}-redis`,
      description: 'ElastiCache Redis: from ECS services only',
      ingress: [{ description: 'Redis from services', port: REDIS_PORT, peer: 'services' }],
      egress: [],
    },
  ];
}
