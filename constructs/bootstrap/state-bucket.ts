import { Construct } from 'constructs';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import { denyInsecureTransport, policyDocument } from '../aws/policy.ts';
import { PrivateBucket } from '../aws/private-bucket.ts';

export interface StateBucketProps {
  readonly bucketName: string;
  readonly kmsKeyArn: string;
}

const SSE = 's3:x-amz-server-side-encryption';

/**
 * Terraform state: private, versioned (a bad apply can be rolled back for 90 days), SSE-KMS with the state
 * key by default, and a policy refusing plain HTTP and any write that asks for another encryption or key
 * (a customer-provided key, SSE-C, included).
 * A write without the header gets the default: that is what terrace's backends send.
 */
export class StateBucket extends Construct {
  readonly bucket: PrivateBucket;
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, { bucketName, kmsKeyArn }: StateBucketProps) {
    super(scope, id);
    this.bucket = new PrivateBucket(this, 'bucket', { bucketName, kmsKeyArn, noncurrentDays: 90 });
    const arn = this.bucket.bucket.arn;
    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.bucket.id,
      policy: policyDocument(
        denyInsecureTransport(arn),
        {
          Sid: 'DenyOtherEncryption',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `${arn}/*`,
          Condition: { StringNotEquals: { [SSE]: 'aws:kms' }, Null: { [SSE]: 'false' } },
        },
        {
          Sid: 'DenyOtherKeys',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `${arn}/*`,
          Condition: { StringNotEquals: { [`${SSE}-aws-kms-key-id`]: kmsKeyArn }, Null: { [`${SSE}-aws-kms-key-id`]: 'false' } },
        },
        // SSE-C sends no x-amz-server-side-encryption header, so neither statement above sees it.
        {
          Sid: 'DenyCustomerKeys',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `${arn}/*`,
          Condition: { Null: { [`${SSE}-customer-algorithm`]: 'false' } },
        },
      ),
      dependsOn: [this.bucket.publicAccessBlock],
    });
  }
}
