import { Construct } from 'constructs';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy/index.js';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target/index.js';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import type { ITerraformDependable } from '../../core/cdktf.ts';
import type { ServiceModel } from '../../model/compute.ts';

export interface FargateServiceProps {
  readonly model: ServiceModel;
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly taskDefinitionArn: string;
  readonly subnetIds: string[];
  readonly securityGroupId: string;
  /** The Cloud Map service ECS registers the tasks' addresses in (the service's private DNS name). */
  readonly registryArn: string;
  /** For public services: where the ALB sends traffic, and the ALB/target group ids for request-count scaling. */
  readonly loadBalancer?: { readonly targetGroupArn: string; readonly resourceLabel: string; readonly listener: ITerraformDependable };
}

/**
 * An ECS service in the private subnets without public IPs; a failed deployment rolls back by itself.
 * With autoscaling, terraform leaves desired_count to Application Auto Scaling after creation.
 */
export class FargateService extends Construct {
  readonly service: EcsService;

  constructor(scope: Construct, id: string, { model, clusterArn, clusterName, taskDefinitionArn, subnetIds, securityGroupId, registryArn, loadBalancer }: FargateServiceProps) {
    super(scope, id);
    this.service = new EcsService(this, 'service', {
      name: model.serviceName,
      cluster: clusterArn,
      taskDefinition: taskDefinitionArn,
      desiredCount: model.desiredCount,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: { subnets: subnetIds, securityGroups: [securityGroupId], assignPublicIp: false },
      // awsvpc tasks: A records, so no port or container is named here.
      serviceRegistries: { registryArn },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableExecuteCommand: false,
      propagateTags: 'SERVICE',
      enableEcsManagedTags: true,
      ...(loadBalancer
        ? {
            loadBalancer: [{ targetGroupArn: loadBalancer.targetGroupArn, containerName: model.name, containerPort: model.port }],
            healthCheckGracePeriodSeconds: 60,
            // The target group must hang off a listener before a service can register in it.
            dependsOn: [loadBalancer.listener],
          }
        : {}),
      lifecycle: model.autoscaling ? { ignoreChanges: ['desired_count'] } : undefined,
    });

    const scaling = model.autoscaling;
    if (!scaling) return;
    const target = new AppautoscalingTarget(this, 'scaling_target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${clusterName}/${this.service.name}`,
      minCapacity: scaling.min,
      maxCapacity: scaling.max,
    });
    const policy = (name: string, metric: string, value: number, resourceLabel?: string) =>
      new AppautoscalingPolicy(this, `scaling_${name}`, {
        name: `${model.serviceName}-${name}`,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: value,
          predefinedMetricSpecification: { predefinedMetricType: metric, resourceLabel },
          scaleInCooldown: 300,
          scaleOutCooldown: 60,
        },
      });
    policy('cpu', 'ECSServiceAverageCPUUtilization', scaling.cpuTarget);
    if (scaling.requestsPerTarget !== undefined && loadBalancer) policy('requests', 'ALBRequestCountPerTarget', scaling.requestsPerTarget, loadBalancer.resourceLabel);
  }
}
