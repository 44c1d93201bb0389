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
    const regional = alarms.filter((a) => a.provider === undefined);
    expect(regional.every((a) => a.alarm_actions[0] === '${aws_sns_topic.observability_alarms_topic.arn}')).toBe(true);
  });

  it('pages on no data for liveness alarms only: tasks below desired and no healthy target are breaching when silent', async () => {
    const alarms = Object.values(resources((await awsTier('chat-prod', 'observability')).tf, 'aws_cloudwatch_metric_alarm'));
    const breaching = alarms.filter((a) => a.treat_missing_data === 'breaching').map((a) => a.alarm_name).sort();
    expect(breaching).toEqual(['chat-prod-web-no-healthy-targets', 'chat-prod-web-tasks-below-desired', 'chat-prod-worker-tasks-below-desired']);
    expect(alarms.filter((a) => a.treat_missing_data !== 'breaching').every((a) => a.treat_missing_data === 'notBreaching')).toBe(true);
    const byName = Object.fromEntries(alarms.map((a) => [a.alarm_name, a]));
    const below = byName['chat-prod-worker-tasks-below-desired'];
    expect(below).toMatchObject({ comparison_operator: 'GreaterThanThreshold', threshold: 0, evaluation_periods: 5 });
    expect(below.metric_query.map((q: any) => [q.id, q.expression ?? q.metric.metric_name, q.return_data])).toEqual([['e1', 'desired - running', true], ['desired', 'DesiredTaskCount', false], ['running', 'RunningTaskCount', false]]);
    expect(below.metric_query[1].metric).toMatchObject({ namespace: 'ECS/ContainerInsights', stat: 'Average', period: 60, dimensions: { ClusterName: '${data.terraform_remote_state.remote_state_compute.outputs.clusterName}', ServiceName: '${element(data.terraform_remote_state.remote_state_compute.outputs.serviceNames, 1)}' } });
    expect(byName['chat-prod-web-no-healthy-targets']).toMatchObject({ metric_name: 'HealthyHostCount', statistic: 'Minimum', comparison_operator: 'LessThanThreshold', threshold: 1 });
    expect(byName['chat-prod-web-unhealthy-targets']).toMatchObject({ metric_name: 'UnHealthyHostCount', threshold: 0, dimensions: { TargetGroup: '${element(data.terraform_remote_state.remote_state_compute.outputs.targetGroupArnSuffixes, 0)}' } });
  });

  it('alarms on Redis engine CPU and evictions, Aurora capacity and memory, NAT port allocation', async () => {
    const alarms = Object.values(resources((await awsTier('chat-prod', 'observability')).tf, 'aws_cloudwatch_metric_alarm'));
    const byName = Object.fromEntries(alarms.map((a) => [a.alarm_name, a]));
    expect(byName['chat-prod-redis-engine-cpu-3']).toMatchObject({ metric_name: 'EngineCPUUtilization', threshold: 80, dimensions: { CacheClusterId: '${element(data.terraform_remote_state.remote_state_data.outputs.redisMemberClusterIds, 2)}' } });
    // allkeys-lru: Redis is a cache that evicts by design; only a flood pages.
    expect(byName['chat-prod-redis-evictions-1']).toMatchObject({ metric_name: 'Evictions', statistic: 'Sum', threshold: 1000 });
    expect(byName['chat-prod-postgres-capacity']).toMatchObject({ metric_name: 'ServerlessDatabaseCapacity', threshold: 28.8, comparison_operator: 'GreaterThanOrEqualToThreshold' });
    expect(byName['chat-prod-postgres-freeable-memory']).toMatchObject({ metric_name: 'FreeableMemory', threshold: 268435456, comparison_operator: 'LessThanThreshold' });
    expect(['1', '2', '3'].map((n) => byName[`chat-prod-nat-port-allocation-${n}`]?.dimensions.NatGatewayId)).toEqual([0, 1, 2].map((i) => `\${element(data.terraform_remote_state.remote_state_network.outputs.natGatewayIds, ${i})}`));
    const staging = Object.values(resources((await awsTier('chat-staging', 'observability')).tf, 'aws_cloudwatch_metric_alarm'));
    // No policy (volatile-lru): keys with a TTL go first, Celery's results among them; any eviction pages.
    expect(staging.find((a) => a.alarm_name === 'chat-staging-redis-evictions-1')!.threshold).toBe(0);
  });

  it('alarms on CloudFront\'s 5xx rate in us-east-1, into a topic there encrypted with a key there', async () => {
    const { tf, result } = await awsTier('chat-prod', 'observability');
    expect(result.violations).toEqual([]);
    const cf = Object.values(resources(tf, 'aws_cloudwatch_metric_alarm')).find((a) => a.alarm_name === 'chat-prod-cloudfront-5xx-rate')!;
    expect(cf).toMatchObject({
      provider: 'aws.us_east_1', namespace: 'AWS/CloudFront', metric_name: '5xxErrorRate', threshold: 5, treat_missing_data: 'notBreaching',
      dimensions: { DistributionId: '${data.terraform_remote_state.remote_state_frontend.outputs.distributionId}', Region: 'Global' },
      alarm_actions: ['${aws_sns_topic.observability_alarms_global_topic.arn}'],
    });
    expect(resources(tf, 'aws_sns_topic').observability_alarms_global_topic).toMatchObject({ provider: 'aws.us_east_1', kms_master_key_id: '${aws_kms_key.observability_kms_us_east_1_key.arn}' });
    expect(resources(tf, 'aws_kms_key').observability_kms_us_east_1_key.provider).toBe('aws.us_east_1');
    expect(resources(tf, 'aws_sns_topic_subscription').observability_alarms_global_email).toMatchObject({ provider: 'aws.us_east_1', endpoint: 'oncall@example.com' });
    const body = JSON.parse(resources(tf, 'aws_cloudwatch_dashboard').observability_dashboard_dashboard.dashboard_body);
    expect(body.widgets.find((w: any) => w.properties.title.startsWith('CloudFront')).properties.region).toBe('us-east-1');
  });

  it('in a us-east-1 target, CloudFront\'s alarm notifies the one topic: no twin topic or key alias of the same name', async () => {
    const { synthesizeTier } = await import('../../index.ts');
    const { environment, target } = awsExample('chat-prod');
    const tf = JSON.parse(synthesizeTier({ environment, target: { ...target, spec: { ...target.spec, region: 'us-east-1' } }, tier: 'observability' }).json);
    const names = (type: string, key: string) => Object.values(resources(tf, type)).map((r) => r[key]);
    expect(names('aws_sns_topic', 'name')).toEqual(['chat-prod-observability-alarms']);
    expect(names('aws_kms_alias', 'name')).toEqual(['alias/terrace/chat-prod/observability']);
    const cf = Object.values(resources(tf, 'aws_cloudwatch_metric_alarm')).find((a) => a.alarm_name === 'chat-prod-cloudfront-5xx-rate')!;
    expect(cf.provider).toBeUndefined();
    expect(cf.alarm_actions).toEqual(['${aws_sns_topic.observability_alarms_topic.arn}']);
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
