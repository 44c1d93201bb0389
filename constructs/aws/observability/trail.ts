import { Construct } from 'constructs';
import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail/index.js';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import { denyInsecureTransport, policyDocument } from '../policy.ts';
import { PrivateBucket } from '../private-bucket.ts';

export interface AuditTrailProps {
  readonly trailName: string;
  readonly trailArn: string;
  readonly bucketName: string;
  readonly expireAfterDays: number;
  readonly accountId: string;
  readonly kmsKeyArn: string;
}

/**
 * A multi-region CloudTrail with log file validation, KMS-encrypted, into its own private bucket whose
 * policy lets only this trail check the ACL and write under AWSLogs/<account>/.
 */
export class AuditTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly logs: PrivateBucket;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.logs = new PrivateBucket(this, 'logs', { bucketName: props.bucketName, expireAfterDays: props.expireAfterDays });
    const bucket = this.logs.bucket;
    const fromTrail = { StringEquals: { 'aws:SourceArn': props.trailArn } };
    const policy = new S3BucketPolicy(this, 'policy', {
      bucket: bucket.id,
      policy: policyDocument(
        { Sid: 'CloudTrailAclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: bucket.arn, Condition: fromTrail },
        {
          Sid: 'CloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${bucket.arn}/AWSLogs/${props.accountId}/*`,
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': props.trailArn } },
        },
        denyInsecureTransport(bucket.arn),
      ),
      dependsOn: [this.logs.publicAccessBlock],
    });
    this.trail = new Cloudtrail(this, 'trail', {
      name: props.trailName,
      s3BucketName: bucket.id,
      kmsKeyId: props.kmsKeyArn,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      // CloudTrail checks it may write before it creates the trail.
      dependsOn: [policy],
    });
  }
}
