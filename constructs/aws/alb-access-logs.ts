import { Construct } from 'constructs';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import type { AlbEdgeModel } from '../model/network.ts';
import { denyInsecureTransport, policyDocument, type Statement } from './policy.ts';
import { PrivateBucket } from './private-bucket.ts';

/**
 * Elastic Load Balancing's log-writing account in each region opened before August 2022; later regions
 * (and these too, increasingly) deliver as the service principal, which the policy always admits.
 */
const ELB_LOG_ACCOUNTS: Record<string, string> = {
  'us-east-1': '127311923021', 'us-east-2': '033677994240', 'us-west-1': '027434742980', 'us-west-2': '797873946194',
  'af-south-1': '098369216593', 'ap-east-1': '754344448648', 'ap-south-1': '718504428378', 'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887', 'ap-northeast-3': '383597477331', 'ap-southeast-1': '114774131450', 'ap-southeast-2': '783225319266',
  'ap-southeast-3': '589379963580', 'ca-central-1': '985666609251', 'eu-central-1': '054676820928', 'eu-west-1': '156460612806',
  'eu-west-2': '652711504416', 'eu-west-3': '009996457667', 'eu-south-1': '635631232127', 'eu-north-1': '897822967062',
  'me-south-1': '076674570225', 'sa-east-1': '507241528517', 'us-gov-west-1': '048591011584', 'us-gov-east-1': '190560391635',
};

/**
 * The ALB's access-log bucket: private, SSE-S3 (ALB access logs cannot write SSE-KMS), logs expire with the
 * environment's log retention, plain HTTP refused. Only ELB may write, and only under AWSLogs/<account>/.
 */
export class AlbAccessLogs extends Construct {
  readonly bucket: PrivateBucket;
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, { model, forceDestroy }: { model: AlbEdgeModel['accessLogs']; forceDestroy: boolean }) {
    super(scope, id);
    this.bucket = new PrivateBucket(this, 'bucket', { bucketName: model.bucketName, expireAfterDays: model.expireAfterDays });
    // Without deletion protection the environment may go, logs and all; with it the bucket must be emptied first.
    this.bucket.bucket.forceDestroy = forceDestroy;
    const arn = this.bucket.bucket.arn;
    const objects = `${arn}/AWSLogs/${model.accountId}/*`;
    const statements: Statement[] = [
      { Sid: 'ElbLogDeliveryWrites', Effect: 'Allow', Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, Action: 's3:PutObject', Resource: objects },
    ];
    const elbAccount = ELB_LOG_ACCOUNTS[model.region];
    if (elbAccount) statements.push({ Sid: 'ElbAccountWrites', Effect: 'Allow', Principal: { AWS: `arn:${model.partition}:iam::${elbAccount}:root` }, Action: 's3:PutObject', Resource: objects });
    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.bucket.id,
      policy: policyDocument(...statements, denyInsecureTransport(arn)),
      dependsOn: [this.bucket.publicAccessBlock],
    });
  }
}
