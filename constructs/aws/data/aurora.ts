import { Construct } from 'constructs';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy/index.js';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target/index.js';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group/index.js';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance/index.js';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group/index.js';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster/index.js';
import { Fn } from '../../core/cdktf.ts';
import type { PostgresModel } from '../../model/data.ts';

export interface AuroraPostgresProps {
  readonly model: PostgresModel;
  readonly subnetIds: string[];
  readonly securityGroupId: string;
  /** The environment's AZs (the network tier's), across which the readers are spread. */
  readonly availabilityZones: string[];
}

/**
 * Aurora PostgreSQL Serverless v2: encrypted storage, master password kept by RDS in Secrets Manager (never
 * in state), IAM auth, logs to CloudWatch, a parameter group that preloads the requested extensions, one writer
 * instance and `readers` reader instances spread across the AZs.
 */
export class AuroraPostgres extends Construct {
  readonly cluster: RdsCluster;
  readonly instance: RdsClusterInstance;
  readonly readers: RdsClusterInstance[];
  readonly parameterGroup: RdsClusterParameterGroup;
  readonly readerScaling?: AppautoscalingTarget;

  constructor(scope: Construct, id: string, { model, subnetIds, securityGroupId, availabilityZones }: AuroraPostgresProps) {
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
    // The AZs starting after the writer's (the writer's last), so the first reader stands in another AZ and the
    // others spread round. The writer's own AZ is read, never pinned: pinning it would replace the writer. It
    // stays this instance's AZ after a failover too, so the readers' AZs never move on their own (a change of
    // availability_zone replaces a reader).
    const writerAz = this.instance.availabilityZone;
    const fromWriter = Fn.concat([Fn.tolist(Fn.setsubtract(availabilityZones, [writerAz])), [writerAz]]);
    this.readers = model.readers.map(
      (r, i) =>
        new RdsClusterInstance(this, `reader_${i + 1}`, {
          identifier: r.instanceId,
          clusterIdentifier: this.cluster.id,
          instanceClass: 'db.serverless',
          engine: this.cluster.engine,
          engineVersion: this.cluster.engineVersion,
          dbSubnetGroupName: subnetGroup.name,
          availabilityZone: Fn.element(fromWriter, r.azIndex),
          promotionTier: r.promotionTier,
          publiclyAccessible: false,
          performanceInsightsEnabled: true,
        }),
    );
    const scaling = model.readerAutoscaling;
    if (!scaling) return;
    // From `readers` up: Aurora adds readers of its own (outside terraform state) in the subnet group's AZs and
    // removes them again. It scales only while every reader is available, so it registers after them.
    this.readerScaling = new AppautoscalingTarget(this, 'reader_scaling_target', {
      serviceNamespace: 'rds',
      scalableDimension: 'rds:cluster:ReadReplicaCount',
      resourceId: `cluster:${this.cluster.clusterIdentifier}`,
      minCapacity: scaling.min,
      maxCapacity: scaling.max,
      dependsOn: [this.instance, ...this.readers],
    });
    new AppautoscalingPolicy(this, 'reader_scaling_cpu', {
      name: scaling.policyName,
      policyType: 'TargetTrackingScaling',
      serviceNamespace: this.readerScaling.serviceNamespace,
      scalableDimension: this.readerScaling.scalableDimension,
      resourceId: this.readerScaling.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: scaling.cpuTarget,
        predefinedMetricSpecification: { predefinedMetricType: 'RDSReaderAverageCPUUtilization' },
        // A new reader takes minutes to come up: no second one before the first can take load.
        scaleOutCooldown: 300,
        scaleInCooldown: 600,
      },
    });
  }
}
