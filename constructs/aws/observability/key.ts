import { Construct } from 'constructs';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { policyDocument, type Statement } from '../policy.ts';

export interface ObservabilityKeyProps {
  readonly alias: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** The trail that encrypts its log files with this key, if any. */
  readonly trailArn?: string;
  /** Another region's provider (us-east-1, for the topic of CloudFront's alarms). */
  readonly provider?: AwsProvider;
}

/**
 * The KMS key of the alarm topic and the trail. In a key policy `Resource: "*"` means this key; the services
 * get only what they need, bound to this account (and to the trail for CloudTrail).
 */
export class ObservabilityKey extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, { alias, partition, region, accountId, trailArn, provider }: ObservabilityKeyProps) {
    super(scope, id);
    const statements: Statement[] = [
      { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'CloudWatchAlarmsPublishToTopic',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ];
    if (trailArn) {
      statements.push(
        {
          Sid: 'CloudTrailEncryptsLogs',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'kms:GenerateDataKey*',
          Resource: '*',
          Condition: {
            StringEquals: { 'aws:SourceArn': trailArn },
            StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${accountId}:trail/*` },
          },
        },
        { Sid: 'CloudTrailDescribesKey', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:DescribeKey', Resource: '*' },
      );
    }
    this.key = new KmsKey(this, 'key', {
      provider,
      description: `${alias}: alarm topic and CloudTrail logs (${region})`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument(...statements),
    });
    new KmsAlias(this, 'alias', { provider, name: alias, targetKeyId: this.key.keyId });
  }
}
