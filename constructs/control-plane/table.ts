import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { policyDocument } from '../aws/policy.ts';

export interface StoreTableProps {
  readonly tableName: string;
  readonly accountId: string;
}

/** terrace's one table (specs/store): pk/sk strings, on demand, PITR, its own KMS key, TTL for events and leases. */
export class StoreTable extends Construct {
  readonly table: DynamodbTable;
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, { tableName, accountId }: StoreTableProps) {
    super(scope, id);
    this.key = new KmsKey(this, 'key', {
      description: 'terrace: the control plane table',
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument({ Sid: 'AccountAdministersThroughIam', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' }),
    });
    this.table = new DynamodbTable(this, 'table', {
      name: tableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      rangeKey: 'sk',
      attribute: [{ name: 'pk', type: 'S' }, { name: 'sk', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: this.key.arn },
      ttl: { attributeName: 'expiresAt', enabled: true },
      deletionProtectionEnabled: true,
    });
  }
}
