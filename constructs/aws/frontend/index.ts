import { Construct } from 'constructs';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import type { FrontendModel } from '../../model/frontend.ts';
import { denyInsecureTransport, policyDocument } from '../policy.ts';
import { PrivateBucket } from '../private-bucket.ts';
import { SiteDistribution } from './distribution.ts';

export interface AwsFrontendProps {
  readonly model: FrontendModel;
}

/** The frontend tier on AWS: a private bucket that only this environment's CloudFront distribution reads. */
export class AwsFrontend extends Construct {
  readonly site: PrivateBucket;
  readonly cdn: SiteDistribution;
  readonly outputs: Record<string, unknown>;

  constructor(scope: Construct, id: string, { model }: AwsFrontendProps) {
    super(scope, id);
    this.site = new PrivateBucket(this, 'site', { bucketName: model.bucketName });
    const bucket = this.site.bucket;
    // CI uploads the site outside terraform, so a destroy (a preview's expiry, a removed tier) would stop at
    // BucketNotEmpty; the objects and their versions are build output, and go with the tier.
    bucket.forceDestroy = true;
    this.cdn = new SiteDistribution(this, 'cdn', { model, bucketRegionalDomainName: bucket.bucketRegionalDomainName });
    const distribution = this.cdn.distribution;
    new S3BucketPolicy(this, 'policy', {
      bucket: bucket.id,
      policy: policyDocument(
        {
          Sid: 'CloudFrontReadsThroughOac',
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: `${bucket.arn}/*`,
          Condition: { StringEquals: { 'AWS:SourceArn': distribution.arn } },
        },
        denyInsecureTransport(bucket.arn),
      ),
      dependsOn: [this.site.publicAccessBlock],
    });
    this.outputs = {
      bucketName: bucket.bucket,
      bucketArn: bucket.arn,
      distributionId: distribution.id,
      distributionArn: distribution.arn,
      distributionDomainName: distribution.domainName,
    };
  }
}
