import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription/index.js';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import type { TierInputs } from '../../core/inputs.ts';
import type { AlarmModel } from '../../model/observability.ts';

export interface AlarmsProps {
  readonly topicName: string;
  readonly kmsKeyId: string;
  readonly alarmEmail?: string;
  readonly alarms: readonly AlarmModel[];
  readonly inputs: TierInputs;
}

/** The environment's alarms, all notifying one KMS-encrypted SNS topic (and the on-call email, if given). */
export class Alarms extends Construct {
  readonly topic: SnsTopic;
  readonly alarms: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, { topicName, kmsKeyId, alarmEmail, alarms, inputs }: AlarmsProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, 'topic', { name: topicName, kmsMasterKeyId: kmsKeyId });
    if (alarmEmail) new SnsTopicSubscription(this, 'email', { topicArn: this.topic.arn, protocol: 'email', endpoint: alarmEmail });
    this.alarms = alarms.map((a, i) => {
      const percentile = /^p[0-9.]+$/.test(a.statistic);
      return new CloudwatchMetricAlarm(this, `alarm_${i}`, {
        alarmName: a.name,
        alarmDescription: a.description,
        namespace: a.namespace,
        metricName: a.metricName,
        ...(percentile ? { extendedStatistic: a.statistic } : { statistic: a.statistic }),
        period: a.periodSeconds,
        evaluationPeriods: a.evaluationPeriods,
        threshold: a.threshold,
        comparisonOperator: a.comparison,
        dimensions: dimensions(a, inputs),
        // No data (idle queue, scaled-in service) is not an incident.
        treatMissingData: 'notBreaching',
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
      });
    });
  }
}

export function dimensions(a: AlarmModel, inputs: TierInputs): Record<string, string> {
  return Object.fromEntries(Object.entries(a.dimensions).map(([k, parts]) => [k, inputs.join(parts)]));
}
