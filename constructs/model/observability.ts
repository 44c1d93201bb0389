import { ref, type ModelContext, type Part } from './context.ts';
import { computeModel } from './compute.ts';
import { dataModel } from './data.ts';
import { fitName, resourceName } from './names.ts';
import { networkModel } from './network.ts';

export interface AlarmModel {
  readonly name: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  /** `Average`, `Sum`, `Maximum`, or a percentile such as `p95`. */
  readonly statistic: string;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly threshold: number;
  readonly comparison: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
  readonly dimensions: Readonly<Record<string, readonly Part[]>>;
  /**
   * What no data means. Liveness alarms (tasks running, healthy targets) are `breaching`: a service with no task
   * reports nothing, and that must page. Others are `notBreaching`: an idle queue or a quiet night is no incident.
   */
  readonly missingData: 'breaching' | 'notBreaching';
  /** CloudFront's metrics exist only in us-east-1: the alarm, and the topic it notifies, live there. */
  readonly global?: boolean;
  /** Metric math: the alarm watches `expression` over these metrics (id -> metric name, same namespace and dimensions). */
  readonly math?: { readonly expression: string; readonly metrics: Readonly<Record<string, string>> };
}

/** Evictions per node in five minutes that page: any, unless the policy makes Redis a cache that evicts by design. */
export function evictionThreshold(policy: string | undefined): number {
  return policy?.startsWith('allkeys-') ? 1000 : 0;
}

/** FreeableMemory below this (bytes) means the writer is out of memory at its current capacity. */
export const AURORA_FREEABLE_MEMORY_FLOOR = 256 * 1024 * 1024;

export interface ObservabilityModel {
  readonly name: string;
  readonly cloudtrail?: { readonly trailName: string; readonly bucketName: string; readonly expireAfterDays: number };
  readonly kmsAlias: string;
  readonly topicName: string;
  readonly alarmEmail?: string;
  readonly dashboardName: string;
  readonly alarms: readonly AlarmModel[];
}

export function observabilityModel(ctx: ModelContext): ObservabilityModel {
  const { env, spec, target } = ctx;
  const obs = spec.observability;
  if (!obs) throw new Error(`${env} declares no observability tier`);
  const name = resourceName(env, 'observability');
  const account = target.spec.accountId;
  return {
    name,
    cloudtrail: obs.cloudtrail
      ? {
          trailName: `${name}-trail`,
          bucketName: fitName(account ? `${name}-trail-${account}` : `${name}-trail`, 63),
          // Audit logs outlive application logs: at least a year.
          expireAfterDays: Math.max(365, obs.logRetentionDays),
        }
      : undefined,
    kmsAlias: `alias/terrace/${env}/observability`,
    topicName: `${name}-alarms`,
    alarmEmail: obs.alarmEmail,
    dashboardName: name,
    alarms: alarms(ctx),
  };
}

function alarms(ctx: ModelContext): AlarmModel[] {
  const { env, spec } = ctx;
  const out: AlarmModel[] = [];
  const alarm = (a: Omit<AlarmModel, 'name' | 'periodSeconds' | 'evaluationPeriods' | 'comparison' | 'missingData'> & Partial<AlarmModel> & { id: string }) => {
    const { id, ...rest } = a;
    out.push({ periodSeconds: 300, evaluationPeriods: 2, comparison: 'GreaterThanThreshold', missingData: 'notBreaching', name: fitName(`${env}-${id}`, 255), ...rest });
  };
  if (spec.compute) {
    const compute = computeModel(ctx);
    if (compute.alb) {
      const lb = { LoadBalancer: [ref('compute', 'albArnSuffix')] };
      alarm({ id: 'alb-5xx', description: 'ALB answers 5xx itself', namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_ELB_5XX_Count', statistic: 'Sum', threshold: 10, dimensions: lb });
      alarm({ id: 'alb-target-5xx', description: 'services answer 5xx', namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', statistic: 'Sum', threshold: 10, dimensions: lb });
      alarm({ id: 'alb-target-response-time', description: 'p95 response time above 2 s', namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', statistic: 'p95', threshold: 2, dimensions: lb });
      compute.services.filter((s) => s.target).forEach((s, i) => {
        const tg = { ...lb, TargetGroup: [ref('compute', 'targetGroupArnSuffixes', i)] };
        alarm({ id: `${s.name}-unhealthy-targets`, description: `${s.name}: targets failing health checks`, namespace: 'AWS/ApplicationELB', metricName: 'UnHealthyHostCount', statistic: 'Maximum', threshold: 0, periodSeconds: 60, evaluationPeriods: 3, dimensions: tg });
        alarm({ id: `${s.name}-no-healthy-targets`, description: `${s.name}: no healthy target behind the ALB`, namespace: 'AWS/ApplicationELB', metricName: 'HealthyHostCount', statistic: 'Minimum', threshold: 1, comparison: 'LessThanThreshold', periodSeconds: 60, evaluationPeriods: 2, missingData: 'breaching', dimensions: tg });
      });
    }
    compute.services.forEach((s, i) => {
      const dims = { ClusterName: [ref('compute', 'clusterName')], ServiceName: [ref('compute', 'serviceNames', i)] };
      // Container Insights (on for the cluster) reports both counts; a deploy or scale-out closes the gap within minutes.
      alarm({
        id: `${s.name}-tasks-below-desired`, description: `${s.name}: fewer tasks running than desired`, namespace: 'ECS/ContainerInsights', metricName: 'DesiredMinusRunning',
        statistic: 'Average', threshold: 0, periodSeconds: 60, evaluationPeriods: 5, missingData: 'breaching', dimensions: dims,
        math: { expression: 'desired - running', metrics: { desired: 'DesiredTaskCount', running: 'RunningTaskCount' } },
      });
      alarm({ id: `${s.name}-cpu`, description: `${s.name}: CPU above 85%`, namespace: 'AWS/ECS', metricName: 'CPUUtilization', statistic: 'Average', threshold: 85, evaluationPeriods: 3, dimensions: dims });
      alarm({ id: `${s.name}-memory`, description: `${s.name}: memory above 85%`, namespace: 'AWS/ECS', metricName: 'MemoryUtilization', statistic: 'Average', threshold: 85, evaluationPeriods: 3, dimensions: dims });
    });
  }
  if (spec.data) {
    const data = dataModel(ctx);
    if (data.postgres) {
      const dims = { DBClusterIdentifier: [ref('data', 'postgresClusterId')] };
      alarm({ id: 'postgres-cpu', description: 'Aurora CPU above 80%', namespace: 'AWS/RDS', metricName: 'CPUUtilization', statistic: 'Average', threshold: 80, evaluationPeriods: 3, dimensions: dims });
      // Serverless v2 allows roughly 100 connections per ACU at the top of its range; warn at 80% of that.
      const connections = Math.round(Math.min(5000, data.postgres.maxCapacity * 100) * 0.8);
      alarm({ id: 'postgres-connections', description: `more than ${connections} connections`, namespace: 'AWS/RDS', metricName: 'DatabaseConnections', statistic: 'Maximum', threshold: connections, dimensions: dims });
      const acu = data.postgres.maxCapacity * 0.9;
      alarm({ id: 'postgres-capacity', description: `Aurora at ${acu} ACUs or more (90% of its maximum ${data.postgres.maxCapacity})`, namespace: 'AWS/RDS', metricName: 'ServerlessDatabaseCapacity', statistic: 'Maximum', threshold: acu, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 3, dimensions: dims });
      alarm({ id: 'postgres-freeable-memory', description: 'Aurora freeable memory below 256 MiB', namespace: 'AWS/RDS', metricName: 'FreeableMemory', statistic: 'Minimum', threshold: AURORA_FREEABLE_MEMORY_FLOOR, comparison: 'LessThanThreshold', evaluationPeriods: 3, dimensions: dims });
    }
    if (data.redis) {
      const evictions = evictionThreshold(spec.data?.redis?.maxmemoryPolicy);
      data.redis.memberClusterIds.forEach((_, i) => {
        const node = { CacheClusterId: [ref('data', 'redisMemberClusterIds', i)] };
        alarm({ id: `redis-memory-${i + 1}`, description: `Redis node ${i + 1}: memory above 80%`, namespace: 'AWS/ElastiCache', metricName: 'DatabaseMemoryUsagePercentage', statistic: 'Maximum', threshold: 80, dimensions: node });
        alarm({ id: `redis-engine-cpu-${i + 1}`, description: `Redis node ${i + 1}: engine CPU above 80%`, namespace: 'AWS/ElastiCache', metricName: 'EngineCPUUtilization', statistic: 'Average', threshold: 80, evaluationPeriods: 3, dimensions: node });
        alarm({ id: `redis-evictions-${i + 1}`, description: `Redis node ${i + 1}: more than ${evictions} evictions in 5 minutes`, namespace: 'AWS/ElastiCache', metricName: 'Evictions', statistic: 'Sum', threshold: evictions, evaluationPeriods: 1, dimensions: node });
      });
    }
    data.queues.forEach((q, i) => {
      alarm({ id: `${q.key}-dlq-depth`, description: `${q.key}: messages in the dead-letter queue`, namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', statistic: 'Maximum', threshold: 0, evaluationPeriods: 1, dimensions: { QueueName: [ref('data', 'dlqNames', i)] } });
      alarm({ id: `${q.key}-oldest-message`, description: `${q.key}: a message waits longer than 15 minutes`, namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', statistic: 'Maximum', threshold: 900, dimensions: { QueueName: [ref('data', 'queueNames', i)] } });
    });
  }
  if (spec.network) {
    networkModel(ctx).natGateways.forEach((_, i) => {
      alarm({ id: `nat-port-allocation-${i + 1}`, description: `NAT gateway ${i + 1}: connections refused for lack of ports`, namespace: 'AWS/NATGateway', metricName: 'ErrorPortAllocation', statistic: 'Sum', threshold: 0, evaluationPeriods: 1, dimensions: { NatGatewayId: [ref('network', 'natGatewayIds', i)] } });
    });
  }
  if (spec.frontend) {
    alarm({
      id: 'cloudfront-5xx-rate', description: 'CloudFront answers 5xx to more than 5% of requests', namespace: 'AWS/CloudFront', metricName: '5xxErrorRate', statistic: 'Average', threshold: 5,
      global: true, dimensions: { DistributionId: [ref('frontend', 'distributionId')], Region: ['Global'] },
    });
  }
  return out;
}
