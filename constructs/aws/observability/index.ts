import { Construct } from 'constructs';
import type { TierInputs } from '../../core/inputs.ts';
import { partitionOf, type ModelContext } from '../../model/context.ts';
import type { ObservabilityModel } from '../../model/observability.ts';
import { Alarms } from './alarms.ts';
import { EnvironmentDashboard } from './dashboard.ts';
import { ObservabilityKey } from './key.ts';
import { AuditTrail } from './trail.ts';
import { usEast1Of } from '../stack.ts';

export interface AwsObservabilityProps {
  readonly ctx: ModelContext;
  readonly model: ObservabilityModel;
  readonly inputs: TierInputs;
}

/** The observability tier on AWS: CloudTrail, alarms to SNS, and a dashboard. */
export class AwsObservability extends Construct {
  readonly trail?: AuditTrail;
  readonly alarms: Alarms;
  readonly outputs: Record<string, unknown>;

  constructor(scope: Construct, id: string, { ctx, model, inputs }: AwsObservabilityProps) {
    super(scope, id);
    const { region, accountId } = ctx.target.spec as { region: string; accountId: string };
    const partition = partitionOf(ctx.target);
    const ct = model.cloudtrail;
    // Known before the trail exists: the key and bucket policies name it without a dependency cycle.
    const trailArn = ct ? `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${ct.trailName}` : undefined;
    const key = new ObservabilityKey(this, 'kms', { alias: model.kmsAlias, partition, region, accountId, trailArn });
    if (ct && trailArn) {
      this.trail = new AuditTrail(this, 'cloudtrail', { ...ct, trailArn, accountId, kmsKeyArn: key.key.arn });
    }
    // CloudFront's alarms notify a topic in us-east-1, encrypted with a key of that region.
    // In us-east-1 itself the stack's own topic and key serve them (a twin would collide by name).
    const global = region !== 'us-east-1' && model.alarms.some((a) => a.global)
      ? { provider: usEast1Of(this), kmsKeyId: new ObservabilityKey(this, 'kms_us_east_1', { alias: model.kmsAlias, partition, region: 'us-east-1', accountId, provider: usEast1Of(this) }).key.arn }
      : undefined;
    this.alarms = new Alarms(this, 'alarms', { topicName: model.topicName, kmsKeyId: key.key.arn, alarmEmail: model.alarmEmail, alarms: model.alarms, inputs, region, global });
    const dashboard = new EnvironmentDashboard(this, 'dashboard', { name: model.dashboardName, region, alarms: model.alarms, inputs });
    this.outputs = {
      alarmTopicArn: this.alarms.topic.arn,
      dashboardName: dashboard.dashboard.dashboardName,
      alarmNames: this.alarms.alarms.map((a) => a.alarmName),
      ...(this.trail
        ? { trailName: this.trail.trail.name, trailArn: this.trail.trail.arn, trailBucketName: this.trail.logs.bucket.bucket }
        : {}),
    };
  }
}
