import { Construct } from 'constructs';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import type { TierInputs } from '../../core/inputs.ts';
import { ref } from '../../model/context.ts';
import type { LogsKeyModel } from '../../model/network.ts';
import { policyDocument } from '../policy.ts';

/**
 * The KMS key of the environment's CloudWatch log groups (flow logs, services, setup tasks). CloudWatch Logs may
 * use it only with the encryption context of a log group named `/terrace/<env>/...` in this account and region:
 * other tiers pass the network tier's `logsKmsKeyArn` output as their log groups' `kms_key_id`.
 */
export class LogsKey extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, { model }: { model: LogsKeyModel }) {
    super(scope, id);
    const { partition, region, accountId, logGroupArns } = model;
    this.key = new KmsKey(this, 'key', {
      description: `${model.alias}: CloudWatch log groups (${region})`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument(
        { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'CloudWatchLogsEncryptsTerraceLogGroups',
          Effect: 'Allow',
          Principal: { Service: `logs.${region}.amazonaws.com` },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroupArns } },
        },
      ),
    });
    new KmsAlias(this, 'alias', { name: model.alias, targetKeyId: this.key.keyId });
  }
}

/** For a log group of another tier (`kms_key_id`): the network tier's key, whose policy admits `/terrace/<env>/...`. */
export function logsKmsKeyArn(inputs: TierInputs): string {
  return inputs.string(ref('network', 'logsKmsKeyArn'));
}
