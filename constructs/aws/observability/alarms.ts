import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription/index.js';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import type { TierInputs } from '../../core/inputs.ts';
import type { AlarmModel } from '../../model/observability.ts';

export interface AlarmsProps {
  readonly topicName: string;
  readonly kmsKeyId: string;
  readonly alarmEmail?: string;
  readonly alarms: readonly AlarmModel[];
  readonly inputs: TierInputs;
  /** The stack's own region: in us-east-1 the alarms on global metrics notify the one topic. */
  readonly region: string;
  /** The us-east-1 provider and key, for the alarms on global (CloudFront) metrics: a topic there too. */
  readonly global?: { readonly provider: AwsProvider; readonly kmsKeyId: string };
}

/**
 * The environment's alarms, all notifying one KMS-encrypted SNS topic (and the on-call email, if given). An alarm
 * must notify a topic of its own region, so alarms on CloudFront's metrics (us-east-1 only) get a twin topic there.
 */
export class Alarms extends Construct {
  readonly topic: SnsTopic;
  readonly globalTopic?: SnsTopic;
  readonly alarms: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, { topicName, kmsKeyId, alarmEmail, alarms, inputs, region, global }: AlarmsProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, 'topic', { name: topicName, kmsMasterKeyId: kmsKeyId });
    if (alarmEmail) new SnsTopicSubscription(this, 'email', { topicArn: this.topic.arn, protocol: 'email', endpoint: alarmEmail });
    // In us-east-1 a twin would be a second topic of the same name (and its key a second alias) in one region.
    const twin = region !== 'us-east-1';
    if (twin && global && alarms.some((a) => a.global)) {
      this.globalTopic = new SnsTopic(this, 'global_topic', { provider: global.provider, name: topicName, kmsMasterKeyId: global.kmsKeyId });
      if (alarmEmail) new SnsTopicSubscription(this, 'global_email', { provider: global.provider, topicArn: this.globalTopic.arn, protocol: 'email', endpoint: alarmEmail });
    }
    this.alarms = alarms.map((a, i) => {
      const elsewhere = a.global && twin;
      const topic = elsewhere ? this.globalTopic : this.topic;
      if (!topic) throw new Error(`alarm ${a.name} is on a global metric but the stack has no us-east-1 topic`);
      return new CloudwatchMetricAlarm(this, `alarm_${i}`, {
        provider: elsewhere ? global!.provider : undefined,
        alarmName: a.name,
        alarmDescription: a.description,
        ...metric(a, inputs),
        evaluationPeriods: a.evaluationPeriods,
        threshold: a.threshold,
        comparisonOperator: a.comparison,
        treatMissingData: a.missingData,
        alarmActions: [topic.arn],
        okActions: [topic.arn],
      });
    });
  }
}

/** One metric and its statistic, or metric math over several of the same namespace and dimensions. */
function metric(a: AlarmModel, inputs: TierInputs) {
  const dims = dimensions(a, inputs);
  if (a.math) {
    return {
      metricQuery: [
        { id: 'e1', expression: a.math.expression, label: a.metricName, returnData: true },
        ...Object.entries(a.math.metrics).map(([mid, metricName]) => ({
          id: mid,
          returnData: false,
          metric: { namespace: a.namespace, metricName, period: a.periodSeconds, stat: a.statistic, dimensions: dims },
        })),
      ],
    };
  }
  const percentile = /^p[0-9.]+$/.test(a.statistic);
  return {
    namespace: a.namespace,
    metricName: a.metricName,
    ...(percentile ? { extendedStatistic: a.statistic } : { statistic: a.statistic }),
    period: a.periodSeconds,
    dimensions: dims,
  };
}

export function dimensions(a: AlarmModel, inputs: TierInputs): Record<string, string> {
  return Object.fromEntries(Object.entries(a.dimensions).map(([k, parts]) => [k, inputs.join(parts)]));
}
