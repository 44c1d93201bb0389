import { Construct } from 'constructs';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition/index.js';
import type { ITerraformDependable } from '../../core/cdktf.ts';
import type { NameValue } from '../../core/service-env.ts';
import { XRAY_IMAGE, type ServiceModel } from '../../model/compute.ts';

export interface ServiceTaskProps {
  readonly model: ServiceModel;
  readonly region: string;
  readonly logGroupName: string;
  readonly environment: NameValue[];
  readonly secrets: { name: string; valueFrom: string }[];
  readonly executionRoleArn: string;
  readonly taskRoleArn: string;
  readonly xray: boolean;
  readonly dependsOn?: ITerraformDependable[];
}

/** A Fargate task definition: the app container (and the X-Ray daemon when asked), logging to the service's group. */
export class ServiceTask extends Construct {
  readonly taskDefinition: EcsTaskDefinition;

  constructor(scope: Construct, id: string, props: ServiceTaskProps) {
    super(scope, id);
    const { model } = props;
    const logs = (prefix: string) => ({
      logDriver: 'awslogs',
      options: { 'awslogs-group': props.logGroupName, 'awslogs-region': props.region, 'awslogs-stream-prefix': prefix },
    });
    const containers: Record<string, unknown>[] = [{
      name: model.name,
      image: model.image,
      essential: true,
      ...(model.command ? { command: model.command } : {}),
      // A worker listens on nothing: no mapping.
      ...(model.port !== undefined ? { portMappings: [{ containerPort: model.port, protocol: 'tcp' }] } : {}),
      environment: props.environment,
      secrets: props.secrets,
      logConfiguration: logs(model.name),
      stopTimeout: model.stopTimeoutSeconds,
    }];
    if (props.xray) {
      containers.push({
        name: 'xray-daemon',
        image: XRAY_IMAGE,
        essential: false,
        cpu: 32,
        memoryReservation: 256,
        portMappings: [{ containerPort: 2000, protocol: 'udp' }],
        logConfiguration: logs('xray'),
      });
    }
    this.taskDefinition = new EcsTaskDefinition(this, 'task_definition', {
      family: model.family,
      cpu: String(model.cpu),
      memory: String(model.memory),
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      containerDefinitions: JSON.stringify(containers),
      ...(props.dependsOn?.length ? { dependsOn: props.dependsOn } : {}),
    });
  }
}
