import { Construct } from 'constructs';
import type { TierInputs } from '../core/inputs.ts';
import type { ObservabilityModel } from '../model/observability.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, fakeId, record, recorded } from './record.ts';

export interface LocalObservabilityProps {
  readonly model: ObservabilityModel;
  readonly inputs: TierInputs;
}

/** The observability tier as terraform_data: CloudTrail and its bucket, KMS key, SNS topic, alarms, dashboard. */
export class LocalObservability extends Construct {
  readonly outputs: Record<string, unknown>;

  constructor(scope: Construct, id: string, { model, inputs }: LocalObservabilityProps) {
    super(scope, id);
    const key = record(this, 'kms_key', { alias: model.kmsAlias, enable_key_rotation: true, grants: ['cloudtrail.amazonaws.com', 'cloudwatch.amazonaws.com'] });
    const keyArn = `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT}:key/${fakeId(key, '', 32)}`;
    const topic = record(this, 'alarm_topic', { name: model.topicName, kms_master_key_id: keyArn });
    const topicArn = `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${recorded(topic, 'name')}`;
    if (model.alarmEmail) record(this, 'alarm_email', { topic_arn: topicArn, protocol: 'email', endpoint: model.alarmEmail });

    const alarms = model.alarms.map((a, i) =>
      record(this, `alarm_${i}`, {
        alarm_name: a.name,
        alarm_description: a.description,
        namespace: a.namespace,
        metric_name: a.metricName,
        statistic: a.statistic,
        period: a.periodSeconds,
        evaluation_periods: a.evaluationPeriods,
        threshold: a.threshold,
        comparison_operator: a.comparison,
        treat_missing_data: a.missingData,
        ...(a.math ? { expression: a.math.expression, metrics: a.math.metrics } : {}),
        ...(a.global ? { region: 'us-east-1' } : {}),
        dimensions: Object.fromEntries(Object.entries(a.dimensions).map(([k, parts]) => [k, inputs.join(parts)])),
        alarm_actions: [topicArn],
        ok_actions: [topicArn],
      }),
    );
    const dashboard = record(this, 'dashboard', { dashboard_name: model.dashboardName, widgets: model.alarms.map((a) => a.name) });

    const trail = model.cloudtrail;
    const trailOutputs: Record<string, unknown> = {};
    if (trail) {
      const bucket = record(this, 'trail_bucket', {
        bucket: trail.bucketName,
        versioning: true,
        server_side_encryption: 'aws:kms',
        public_access_block: { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
        expire_after_days: trail.expireAfterDays,
      });
      const t = record(this, 'trail', {
        name: trail.trailName,
        s3_bucket_name: recorded(bucket, 'bucket'),
        kms_key_id: keyArn,
        is_multi_region_trail: true,
        enable_log_file_validation: true,
        include_global_service_events: true,
      });
      Object.assign(trailOutputs, {
        trailName: recorded(t, 'name'),
        trailArn: `arn:aws:cloudtrail:${LOCAL_REGION}:${LOCAL_ACCOUNT}:trail/${recorded(t, 'name')}`,
        trailBucketName: recorded(bucket, 'bucket'),
      });
    }

    this.outputs = {
      alarmTopicArn: topicArn,
      dashboardName: recorded(dashboard, 'dashboard_name'),
      alarmNames: alarms.map((a) => recorded(a, 'alarm_name')),
      ...trailOutputs,
    };
  }
}
