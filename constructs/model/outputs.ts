import type { Tier } from '../../specs/environment.ts';
import type { ModelContext } from './context.ts';
import { computeModel } from './compute.ts';
import { DB_SETUP_OUTPUTS } from './db-setup-outputs.ts';

/**
 * The outputs each tier's stack declares, the same for the AWS and the local target: the controller
 * stores them in status and feeds them to the dependent tiers.
 */
export function tierOutputNames(ctx: ModelContext, tier: Tier): string[] {
  const { spec } = ctx;
  switch (tier) {
    case 'network':
      return ['vpcId', 'vpcCidr', 'availabilityZones', 'publicSubnetIds', 'privateSubnetIds', 'albSecurityGroupId', 'serviceSecurityGroupId', 'postgresSecurityGroupId', 'redisSecurityGroupId', 'natGatewayIds', 'logsKmsKeyArn'];
    case 'data':
      return [
        ...(spec.data?.postgres ? ['postgresEndpoint', 'postgresReaderEndpoint', 'postgresPort', 'postgresDatabase', 'postgresSecretArn', 'postgresClusterId', 'postgresClusterResourceId', ...DB_SETUP_OUTPUTS] : []),
        ...(spec.data?.redis ? ['redisEndpoint', 'redisPort', 'redisAuthSecretArn', 'redisReplicationGroupId', 'redisMemberClusterIds'] : []),
        'queueNames', 'queueUrls', 'queueArns', 'dlqNames', 'dlqArns',
      ];
    case 'compute':
      return [
        'clusterName', 'clusterArn', 'serviceNames', 'logGroupNames',
        ...(spec.compute && computeModel(ctx).alb ? ['albArn', 'albArnSuffix', 'albDnsName', 'albZoneId', 'targetGroupArnSuffixes'] : []),
      ];
    case 'frontend':
      return ['bucketName', 'bucketArn', 'distributionId', 'distributionArn', 'distributionDomainName'];
    case 'observability':
      return ['alarmTopicArn', 'dashboardName', 'alarmNames', ...(spec.observability?.cloudtrail ? ['trailName', 'trailArn', 'trailBucketName'] : [])];
  }
}
