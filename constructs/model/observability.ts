import { ref, type ModelContext, type Part } from './context.ts';
import { computeModel } from './compute.ts';
import { dataModel } from './data.ts';
import { fitName, resourceName } from './names.ts';

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
  readonly comparison: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold';
  readonly dimensions: Readonly<Record<string, readonly Part[]>>;
}

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
  const alarm = (a: Omit<AlarmModel, 'name' | 'periodSeconds' | 'evaluationPeriods' | 'comparison'> & Partial<AlarmModel> & { id: string }) => {
    const { id, ...rest } = a;
    out.push({ periodSeconds: 300, evaluationPeriods: 2, comparison: 'GreaterThanThreshold', name: fitName(`${env}-${id}`, 255), ...rest });
  };
  if (spec.compute) {
    const compute = computeModel(ctx);
    if (compute.alb) {
      const lb = { LoadBalancer: [ref('compute', 'albArnSuffix')] };
      alarm({ id: 'alb-5xx', description: 'ALB answers 5xx itself', namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_ELB_5XX_Count', statistic: 'Sum', threshold: 10, dimensions: lb });
      alarm({ id: 'alb-target-5xx', description: 'services answer 5xx', namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', statistic: 'Sum', threshold: 10, dimensions: lb });
      alarm({ id: 'alb-target-response-time', description: 'p95 response time above 2 s', namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', statistic: 'p95', threshold: 2, dimensions: lb });
    }
    compute.services.forEach((s, i) => {
      const dims = { ClusterName: [ref('compute', 'clusterName')], ServiceName: [ref('compute', 'serviceNames', i)] };
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
    }
    if (data.redis) {
      data.redis.memberClusterIds.forEach((_, i) => {
        alarm({ id: `redis-memory-${i + 1}`, description: `Redis node ${i + 1}: memory above 80%`, namespace: 'AWS/ElastiCache', metricName: 'DatabaseMemoryUsagePercentage', statistic: 'Maximum', threshold: 80, dimensions: { CacheClusterId: [ref('data', 'redisMemberClusterIds', i)] } });
      });
    }
    data.queues.forEach((q, i) => {
      alarm({ id: `${q.key}-dlq-depth`, description: `${q.key}: messages in the dead-letter queue`, namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', statistic: 'Maximum', threshold: 0, evaluationPeriods: 1, dimensions: { QueueName: [ref('data', 'dlqNames', i)] } });
      alarm({ id: `${q.key}-oldest-message`, description: `${q.key}: a message waits longer than 15 minutes`, namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', statistic: 'Maximum', threshold: 900, dimensions: { QueueName: [ref('data', 'queueNames', i)] } });
    });
  }
  return out;
}
