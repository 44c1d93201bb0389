import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster/index.js';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition/index.js';
import { DATA_DIR, PORT, STOP_TIMEOUT_SECONDS, type ControlPlaneModel } from './model.ts';

export interface ControlPlaneServiceProps {
  readonly model: ControlPlaneModel;
  readonly logGroup: CloudwatchLogGroup;
  readonly taskRoleArn: string;
  readonly executionRoleArn: string;
  readonly adminTokenArn: string;
  readonly subnetIds: string[];
  readonly securityGroupId: string;
  readonly targetGroupArn: string;
  /** Where X-Forwarded-For may be trusted from: the ALB's subnets. */
  readonly proxyCidrs: readonly string[];
}

/**
 * terrace on Fargate: two or more tasks across the private subnets' AZs, a read-only root filesystem with the
 * data dir (terraform work dirs) on task storage, the longest stop grace Fargate has, and a deployment that
 * rolls back by itself when new tasks do not become healthy.
 */
export class ControlPlaneService extends Construct {
  readonly cluster: EcsCluster;
  readonly service: EcsService;

  constructor(scope: Construct, id: string, props: ControlPlaneServiceProps) {
    super(scope, id);
    const { model } = props;
    this.cluster = new EcsCluster(this, 'cluster', { name: 'terrace', setting: [{ name: 'containerInsights', value: 'enabled' }] });
    const environment = {
      TERRACE_TABLE: model.tableName,
      AWS_REGION: model.spec.region,
      HOST: '0.0.0.0',
      PORT: String(PORT),
      TERRACE_DATA_DIR: DATA_DIR,
      TERRACE_LOG_FORMAT: 'json',
      TERRACE_TRUST_PROXY: props.proxyCidrs.join(','),
    };
    const task = new EcsTaskDefinition(this, 'task', {
      family: 'terrace',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '1024',
      memory: '2048',
      // terraform work dirs and plan files; the provider itself is shared from the image's mirror.
      ephemeralStorage: { sizeInGib: 50 },
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      taskRoleArn: props.taskRoleArn,
      executionRoleArn: props.executionRoleArn,
      volume: [{ name: 'data' }, { name: 'tmp' }],
      containerDefinitions: JSON.stringify([{
        name: 'terrace',
        image: model.spec.image,
        essential: true,
        readonlyRootFilesystem: true,
        portMappings: [{ containerPort: PORT, protocol: 'tcp' }],
        environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
        secrets: [{ name: 'TERRACE_ADMIN_TOKEN', valueFrom: props.adminTokenArn }],
        mountPoints: [{ sourceVolume: 'data', containerPath: DATA_DIR }, { sourceVolume: 'tmp', containerPath: '/tmp' }],
        stopTimeout: STOP_TIMEOUT_SECONDS,
        healthCheck: {
          command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
          interval: 30, timeout: 5, retries: 3, startPeriod: 30,
        },
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': props.logGroup.name, 'awslogs-region': model.spec.region, 'awslogs-stream-prefix': 'terrace' } },
      }]),
    });
    this.service = new EcsService(this, 'service', {
      name: 'terrace',
      cluster: this.cluster.arn,
      taskDefinition: task.arn,
      desiredCount: model.spec.desiredCount,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      // Replicas share work through leases: a new task may start before an old one stops.
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriodSeconds: 60,
      networkConfiguration: { subnets: props.subnetIds, securityGroups: [props.securityGroupId], assignPublicIp: false },
      loadBalancer: [{ targetGroupArn: props.targetGroupArn, containerName: 'terrace', containerPort: PORT }],
      propagateTags: 'SERVICE',
      enableExecuteCommand: false,
    });
  }
}
