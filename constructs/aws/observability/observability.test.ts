import { describe, expect, it } from 'vitest';
import { awsExample, awsTier, resources, withSpec } from '../../testing/fixtures.ts';

describe('AWS observability tier', () => {
  it('records a multi-region, validated, KMS-encrypted CloudTrail into its own bucket', async () => {
    const { tf, result } = await awsTier('chat-prod', 'observability');
    expect(result.violations).toEqual([]);
    expect(resources(tf, 'aws_cloudtrail').observability_cloudtrail_trail).toMatchObject({
      name: 'chat-prod-observability-trail',
      is_multi_region_trail: true,
      enable_log_file_validation: true,
      kms_key_id: '${aws_kms_key.observability_kms_key.arn}',
      depends_on: ['aws_s3_bucket_policy.observability_cloudtrail_policy'],
    });
    const policy = JSON.parse(resources(tf, 'aws_s3_bucket_policy').observability_cloudtrail_policy.policy);
    const write = policy.Statement.find((s: { Sid: string }) => s.Sid === 'CloudTrailWrite');
    expect(write.Resource).toBe('${aws_s3_bucket.observability_cloudtrail_logs_bucket.arn}/AWSLogs/333333333333/*');
    expect(write.Condition.StringEquals['aws:SourceArn']).toBe('arn:aws:cloudtrail:eu-west-1:333333333333:trail/chat-prod-observability-trail');
    expect(resources(tf, 'aws_s3_bucket_lifecycle_configuration').observability_cloudtrail_logs_lifecycle.rule[0].expiration).toEqual([{ days: 365 }]);
    expect(resources(tf, 'aws_kms_key').observability_kms_key.enable_key_rotation).toBe(true);
  });

  it('alarms into a KMS-encrypted topic with the email subscription', async () => {
    const { tf } = await awsTier('chat-prod', 'observability');
    expect(resources(tf, 'aws_sns_topic').observability_alarms_topic.kms_master_key_id).toBe('${aws_kms_key.observability_kms_key.arn}');
    expect(resources(tf, 'aws_sns_topic_subscription').observability_alarms_email).toMatchObject({ protocol: 'email', endpoint: 'oncall@example.com' });
    const alarms = Object.values(resources(tf, 'aws_cloudwatch_metric_alarm'));
    const byName = Object.fromEntries(alarms.map((a) => [a.alarm_name, a]));
    expect(byName['chat-prod-alb-target-response-time']).toMatchObject({ extended_statistic: 'p95', dimensions: { LoadBalancer: '${data.terraform_remote_state.remote_state_compute.outputs.albArnSuffix}' } });
    expect(byName['chat-prod-worker-cpu'].dimensions.ServiceName).toBe('${element(data.terraform_remote_state.remote_state_compute.outputs.serviceNames, 1)}');
    expect(byName['chat-prod-default-dlq-depth']).toMatchObject({ metric_name: 'ApproximateNumberOfMessagesVisible', threshold: 0, namespace: 'AWS/SQS' });
    expect(alarms.every((a) => a.alarm_actions[0] === '${aws_sns_topic.observability_alarms_topic.arn}')).toBe(true);
  });

  it('draws a dashboard of the alarmed metrics', async () => {
    const { tf } = await awsTier('chat-prod', 'observability');
    const body = JSON.parse(resources(tf, 'aws_cloudwatch_dashboard').observability_dashboard_dashboard.dashboard_body);
    expect(body.widgets.length).toBe(Object.keys(resources(tf, 'aws_cloudwatch_metric_alarm')).length);
    expect(body.widgets[0].properties.metrics[0].slice(0, 2)).toEqual(['AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count']);
  });

  it('has no trail when cloudtrail is off', async () => {
    const { environment } = awsExample('chat-prod');
    const env = withSpec(environment, (s) => (s.observability.cloudtrail = false));
    const { tf, result } = await awsTier('chat-prod', 'observability', undefined, env);
    expect(resources(tf, 'aws_cloudtrail')).toEqual({});
    expect(result.outputs).not.toContain('trailName');
    expect(result.violations).toEqual([]);
  });
});
