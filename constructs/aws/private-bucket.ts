import { Construct } from 'constructs';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning/index.js';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';

export interface PrivateBucketProps {
  readonly bucketName: string;
  /** Days before current objects expire; without it, objects stay. */
  readonly expireAfterDays?: number;
  /** SSE-KMS with this key (and an S3 bucket key) instead of SSE-S3. */
  readonly kmsKeyArn?: string;
  /** Days old versions are kept; 30 without it. */
  readonly noncurrentDays?: number;
}

/**
 * A bucket nobody reaches except through its policy: all four public-access blocks, ACLs disabled
 * (BucketOwnerEnforced), versioning, default encryption, and old versions cleaned up (after 30 days by default).
 */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;
  /** Policies must wait for it: S3 rejects a policy that the block would call public. */
  readonly publicAccessBlock: S3BucketPublicAccessBlock;

  constructor(scope: Construct, id: string, { bucketName, expireAfterDays, kmsKeyArn, noncurrentDays = 30 }: PrivateBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', { bucket: bucketName });
    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public_access_block', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketVersioningA(this, 'versioning', { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: kmsKeyArn ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: kmsKeyArn } : { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [{
        id: 'expire',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        ...(expireAfterDays ? { expiration: [{ days: expireAfterDays }] } : {}),
        noncurrentVersionExpiration: [{ noncurrentDays }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      }],
    });
  }
}
