import { isTrue, refersTo, resourcesOf, violation, type GuardrailViolation, type TfStack } from './stack.ts';

const RULE = 'encryption-at-rest';

/** Data stores and queues encrypted: Aurora/RDS storage, Redis at rest and in transit, SQS, S3, SNS. */
export function unencryptedStores(stack: TfStack): GuardrailViolation[] {
  const out: GuardrailViolation[] = [];
  const report = (address: string, message: string) => out.push(violation(RULE, address, message));
  for (const [address, db] of resourcesOf(stack, 'aws_rds_cluster', 'aws_db_instance')) {
    if (!isTrue(db.storage_encrypted)) report(address, 'storage_encrypted is not true');
  }
  for (const [address, rg] of resourcesOf(stack, 'aws_elasticache_replication_group')) {
    if (!isTrue(rg.at_rest_encryption_enabled)) report(address, 'at_rest_encryption_enabled is not true');
    if (!isTrue(rg.transit_encryption_enabled)) report(address, 'transit_encryption_enabled is not true');
  }
  for (const [address, q] of resourcesOf(stack, 'aws_sqs_queue')) {
    if (!isTrue(q.sqs_managed_sse_enabled) && !q.kms_master_key_id) report(address, 'has neither sqs_managed_sse_enabled nor kms_master_key_id');
  }
  const sse = resourcesOf(stack, 'aws_s3_bucket_server_side_encryption_configuration');
  for (const [address] of resourcesOf(stack, 'aws_s3_bucket')) {
    if (!sse.some(([, c]) => refersTo(c.bucket, address))) report(address, 'has no server-side encryption configuration');
  }
  for (const [address, topic] of resourcesOf(stack, 'aws_sns_topic')) {
    if (!topic.kms_master_key_id) report(address, 'has no kms_master_key_id');
  }
  return out;
}
