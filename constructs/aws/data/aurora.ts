import { Construct } from 'constructs';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group/index.js';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance/index.js';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group/index.js';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster/index.js';
import type { PostgresModel } from '../../model/data.ts';

export interface AuroraPostgresProps {
  readonly model: PostgresModel;
  readonly subnetIds: string[];
  readonly securityGroupId: string;
}

/**
 * Aurora PostgreSQL Serverless v2: encrypted storage, master password kept by RDS in Secrets Manager (never
 * in state), IAM auth, logs to CloudWatch, and a parameter group that preloads the requested extensions.
 */
export class AuroraPostgres extends Construct {
  readonly cluster: RdsCluster;
  readonly instance: RdsClusterInstance;
  readonly parameterGroup: RdsClusterParameterGroup;

  constructor(scope: Construct, id: string, { model, subnetIds, securityGroupId }: AuroraPostgresProps) {
    super(scope, id);
    const subnetGroup = new DbSubnetGroup(this, 'subnet_group', { name: model.subnetGroupName, subnetIds });
    this.parameterGroup = new RdsClusterParameterGroup(this, 'parameter_group', {
      name: model.parameterGroupName,
      family: model.family,
      description: `${model.clusterId}: TLS only, preloaded extensions`,
      // shared_preload_libraries is static: it takes effect on the next reboot.
      parameter: model.parameters.map((p) => ({ name: p.name, value: p.value, applyMethod: 'pending-reboot' })),
    });
    this.cluster = new RdsCluster(this, 'cluster', {
      clusterIdentifier: model.clusterId,
      engine: 'aurora-postgresql',
      engineMode: 'provisioned',
      engineVersion: model.engineVersion,
      databaseName: model.databaseName,
      masterUsername: model.masterUsername,
      manageMasterUserPassword: true,
      port: model.port,
      storageEncrypted: true,
      iamDatabaseAuthenticationEnabled: true,
      backupRetentionPeriod: model.backupRetentionDays,
      copyTagsToSnapshot: true,
      deletionProtection: model.deletionProtection,
      skipFinalSnapshot: model.finalSnapshotId === undefined,
      finalSnapshotIdentifier: model.finalSnapshotId,
      dbClusterParameterGroupName: this.parameterGroup.name,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroupId],
      enabledCloudwatchLogsExports: ['postgresql'],
      serverlessv2ScalingConfiguration: { minCapacity: model.minCapacity, maxCapacity: model.maxCapacity },
    });
    this.instance = new RdsClusterInstance(this, 'instance', {
      identifier: model.instanceId,
      clusterIdentifier: this.cluster.id,
      instanceClass: 'db.serverless',
      engine: this.cluster.engine,
      engineVersion: this.cluster.engineVersion,
      dbSubnetGroupName: subnetGroup.name,
      publiclyAccessible: false,
      performanceInsightsEnabled: true,
    });
  }
}
