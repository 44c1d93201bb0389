import { Construct } from 'constructs';
import { DataAwsSecretsmanagerRandomPassword } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password/index.js';
import { ElasticacheParameterGroup } from '@cdktf/provider-aws/lib/elasticache-parameter-group/index.js';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group/index.js';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group/index.js';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version/index.js';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret/index.js';
import type { RedisModel } from '../../model/data.ts';

export interface RedisProps {
  readonly model: RedisModel;
  readonly subnetIds: string[];
  readonly securityGroupId: string;
}

/**
 * ElastiCache Redis, encrypted at rest and in transit, with an AUTH token that Secrets Manager generates
 * and keeps; failover and multi-AZ when there is a replica to fail over to; a parameter group of its own when the
 * spec sets a maxmemory-policy.
 */
export class Redis extends Construct {
  readonly replicationGroup: ElasticacheReplicationGroup;
  readonly authSecret: SecretsmanagerSecret;
  readonly parameterGroup?: ElasticacheParameterGroup;

  constructor(scope: Construct, id: string, { model, subnetIds, securityGroupId }: RedisProps) {
    super(scope, id);
    const subnetGroup = new ElasticacheSubnetGroup(this, 'subnet_group', { name: model.subnetGroupName, subnetIds });
    this.authSecret = new SecretsmanagerSecret(this, 'auth_secret', {
      name: model.authSecretName,
      description: `AUTH token of ${model.replicationGroupId}`,
      recoveryWindowInDays: 7,
    });
    // The data source draws a new password on every plan; the version keeps the first one (ignore_changes),
    // and the replication group reads it from the version, so nothing churns.
    const password = new DataAwsSecretsmanagerRandomPassword(this, 'auth_token', { passwordLength: 64, excludePunctuation: true });
    const version = new SecretsmanagerSecretVersion(this, 'auth_secret_version', {
      secretId: this.authSecret.id,
      secretString: password.randomPassword,
      lifecycle: { ignoreChanges: ['secret_string'] },
    });
    const group = model.parameterGroup;
    this.parameterGroup = group
      ? new ElasticacheParameterGroup(this, 'parameter_group', {
          name: group.name,
          family: group.family,
          // Never the parameters: a changed description replaces the group, which the replication group still uses.
          description: `${model.replicationGroupId}: terrace parameters`,
          parameter: group.parameters.map((p) => ({ name: p.name, value: p.value })),
        })
      : undefined;
    this.replicationGroup = new ElasticacheReplicationGroup(this, 'replication_group', {
      replicationGroupId: model.replicationGroupId,
      description: `Redis of ${model.replicationGroupId}`,
      engine: 'redis',
      engineVersion: model.engineVersion,
      nodeType: model.nodeType,
      numCacheClusters: model.numCacheClusters,
      port: model.port,
      parameterGroupName: this.parameterGroup?.name ?? model.parameterGroupName,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [securityGroupId],
      atRestEncryptionEnabled: 'true',
      transitEncryptionEnabled: true,
      authToken: version.secretString,
      // Provider 6.x requires it with auth_token (5.x defaulted to ROTATE): a changed token is added beside the old.
      authTokenUpdateStrategy: 'ROTATE',
      automaticFailoverEnabled: model.automaticFailover,
      multiAzEnabled: model.automaticFailover,
      snapshotRetentionLimit: 1,
    });
  }
}
