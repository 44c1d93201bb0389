import { Construct } from 'constructs';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter/index.js';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';

export interface ControlPlaneAlarmsProps {
  readonly lbArnSuffix: string;
  readonly targetGroupArnSuffix: string;
  readonly clusterName: string;
  readonly serviceName: string;
  readonly desiredCount: number;
  readonly logGroupName: string;
}

export const METRIC_NAMESPACE = 'terrace';

/**
 * Liveness (missing data breaches: no data means no tasks): /readyz failing on a target, fewer healthy targets
 * or running tasks than desired; and reconcile failures and stalled environments, counted from the controller's
 * JSON log lines.
 */
export class ControlPlaneAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, p: ControlPlaneAlarmsProps) {
    super(scope, id);
    const tg = { LoadBalancer: p.lbArnSuffix, TargetGroup: p.targetGroupArnSuffix };
    const alarm = (name: string, description: string, rest: Omit<ConstructorParameters<typeof CloudwatchMetricAlarm>[2], 'alarmName' | 'alarmDescription' | 'evaluationPeriods'> & { evaluationPeriods?: number }) =>
      new CloudwatchMetricAlarm(this, name.replace(/-/g, '_'), { alarmName: `terrace-${name}`, alarmDescription: description, period: 60, evaluationPeriods: 5, ...rest });
    const countLines = (id: string, metric: string, pattern: string) =>
      new CloudwatchLogMetricFilter(this, id, {
        name: `terrace-${id.replace(/_/g, '-')}`,
        logGroupName: p.logGroupName,
        pattern,
        metricTransformation: { name: metric, namespace: METRIC_NAMESPACE, value: '1', defaultValue: '0' },
      });
    // pass.ts logs a failed tier at warn (40) with its `tier` and `reason`; controller.ts logs a stalled
    // environment at warn as "<name> stalled (<reason>): ...", once per reason.
    countLines('reconcile_failure_lines', 'ReconcileFailures', '{ $.level = 40 && $.tier = "*" && $.reason = "*" }');
    countLines('stalled_lines', 'EnvironmentsStalled', '{ $.level = 40 && $.msg = "* stalled (*" }');
    this.alarms = [
      alarm('readyz-failing', 'a task fails /readyz (its store is unreachable) or stopped answering', {
        namespace: 'AWS/ApplicationELB', metricName: 'UnHealthyHostCount', dimensions: tg, statistic: 'Maximum',
        comparisonOperator: 'GreaterThanThreshold', threshold: 0, treatMissingData: 'notBreaching',
      }),
      alarm('healthy-tasks-low', 'fewer tasks pass /readyz than desired', {
        namespace: 'AWS/ApplicationELB', metricName: 'HealthyHostCount', dimensions: tg, statistic: 'Minimum',
        comparisonOperator: 'LessThanThreshold', threshold: p.desiredCount, treatMissingData: 'breaching',
      }),
      alarm('running-tasks-low', 'fewer tasks run than desired', {
        namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensions: { ClusterName: p.clusterName, ServiceName: p.serviceName },
        statistic: 'Minimum', comparisonOperator: 'LessThanThreshold', threshold: p.desiredCount, treatMissingData: 'breaching',
      }),
      alarm('reconcile-failures', 'tiers keep failing to reconcile (see the log group for the environments and reasons)', {
        namespace: METRIC_NAMESPACE, metricName: 'ReconcileFailures', statistic: 'Sum', period: 300, evaluationPeriods: 3, datapointsToAlarm: 3,
        comparisonOperator: 'GreaterThanOrEqualToThreshold', threshold: 1, treatMissingData: 'notBreaching',
      }),
      alarm('environment-stalled', 'an environment stalled: its spec must change (terrace status <name> says why)', {
        namespace: METRIC_NAMESPACE, metricName: 'EnvironmentsStalled', statistic: 'Sum', period: 300, evaluationPeriods: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold', threshold: 1, treatMissingData: 'notBreaching',
      }),
    ];
  }
}
