import { Construct } from 'constructs';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { policyDocument } from '../aws/policy.ts';
import { STATE_KEY_ALIAS } from './names.ts';

export interface StateKeyProps {
  readonly accountId: string;
}

/**
 * The key of terraform state (which holds secrets such as the Redis AUTH token): rotated yearly, and its
 * policy leaves access to IAM in this account, where only the execution role is granted it.
 */
export class StateKey extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, { accountId }: StateKeyProps) {
    super(scope, id);
    this.key = new KmsKey(this, 'key', {
      description: 'terrace: terraform state',
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument({
        Sid: 'AccountAdministersThroughIam',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      }),
    });
    new KmsAlias(this, 'alias', { name: STATE_KEY_ALIAS, targetKeyId: this.key.keyId });
  }
}
