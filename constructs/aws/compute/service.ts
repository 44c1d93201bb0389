import { Construct } from 'constructs';
import {
  AppautoscalingPolicy,
  type AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
  type AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecification,
} from '@cdktf/provider-aws/lib/appautoscaling-policy/index.js';
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
  readonly loadBalancer?: {
    readonly targetGroupArn: string;
    readonly resourceLabel: string;
    readonly listener: ITerraformDependable;
    /** CloudWatch dimensions: `app/<name>/<id>` and `targetgroup/<name>/<id>`. */
    readonly lbArnSuffix: string;
    readonly targetGroupArnSuffix: string;
  };
  /** The SQS queue name a queue-scaled worker consumes (`autoscaling.queue`). */
  readonly queueName?: string;
}

/**
 * An ECS service in the private subnets without public IPs; a failed deployment rolls back by itself.
 * With autoscaling, terraform leaves desired_count to Application Auto Scaling after creation.
 */
export class FargateService extends Construct {
  readonly service: EcsService;

  constructor(scope: Construct, id: string, { model, clusterArn, clusterName, taskDefinitionArn, subnetIds, securityGroupId, registryArn, loadBalancer, queueName }: FargateServiceProps) {
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
      // A singleton (Celery beat) stops its old task before the new one starts: two never run at once.
      deploymentMinimumHealthyPercent: model.deployment.minimumHealthyPercent,
      deploymentMaximumPercent: model.deployment.maximumPercent,
      enableExecuteCommand: false,
      propagateTags: 'SERVICE',
      enableEcsManagedTags: true,
      ...(loadBalancer && model.port !== undefined
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
    // Several target-tracking policies: the service scales out when any asks, and in only when all agree.
    const policy = (name: string, value: number, metric: Pick<AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration, 'predefinedMetricSpecification' | 'customizedMetricSpecification'>) =>
      new AppautoscalingPolicy(this, `scaling_${name}`, {
        name: `${model.serviceName}-${name}`,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: { targetValue: value, ...metric, scaleInCooldown: 300, scaleOutCooldown: 60 },
      });
    policy('cpu', scaling.cpuTarget, { predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' } });
    if (scaling.requestsPerTarget !== undefined && loadBalancer) {
      policy('requests', scaling.requestsPerTarget, { predefinedMetricSpecification: { predefinedMetricType: 'ALBRequestCountPerTarget', resourceLabel: loadBalancer.resourceLabel } });
    }
    if (scaling.connectionsPerTarget !== undefined && loadBalancer) policy('connections', scaling.connectionsPerTarget, { customizedMetricSpecification: connectionsPerTarget(loadBalancer) });
    if (scaling.queue && queueName) policy('queue', scaling.queue.messagesPerTask, { customizedMetricSpecification: messagesPerTask(queueName, clusterName, model.serviceName) });
  }
}

type CustomMetric = AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecification;

/**
 * WebSocket connections per healthy target. ALB publishes ActiveConnectionCount per load balancer only (no
 * target group dimension), counting client->ALB and ALB->target connections alike: a WebSocket is two, hence / 2.
 * With no healthy target every connection counts against one.
 */
function connectionsPerTarget(lb: NonNullable<FargateServiceProps['loadBalancer']>): CustomMetric {
  return {
    metrics: [
      { id: 'connections', returnData: false, metricStat: { stat: 'Sum', metric: { namespace: 'AWS/ApplicationELB', metricName: 'ActiveConnectionCount', dimensions: [{ name: 'LoadBalancer', value: lb.lbArnSuffix }] } } },
      {
        id: 'healthy', returnData: false,
        metricStat: { stat: 'Average', metric: { namespace: 'AWS/ApplicationELB', metricName: 'HealthyHostCount', dimensions: [{ name: 'LoadBalancer', value: lb.lbArnSuffix }, { name: 'TargetGroup', value: lb.targetGroupArnSuffix }] } },
      },
      { id: 'per_target', label: 'WebSocket connections per healthy target', expression: 'IF(healthy > 0, connections / 2 / healthy, connections / 2)', returnData: true },
    ],
  };
}

/** Visible messages per running task: the queue's backlog shared out (with no task running, per one). */
function messagesPerTask(queueName: string, clusterName: string, serviceName: string): CustomMetric {
  return {
    metrics: [
      { id: 'visible', returnData: false, metricStat: { stat: 'Sum', metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: [{ name: 'QueueName', value: queueName }] } } },
      {
        id: 'tasks', returnData: false,
        metricStat: { stat: 'Average', metric: { namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensions: [{ name: 'ClusterName', value: clusterName }, { name: 'ServiceName', value: serviceName }] } },
      },
      { id: 'per_task', label: 'visible messages per running task', expression: 'IF(tasks > 0, visible / tasks, visible)', returnData: true },
    ],
  };
}
