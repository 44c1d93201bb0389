import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster/index.js';
import type { TierInputs } from '../../core/inputs.ts';
import { serviceEnvironment } from '../../core/service-env.ts';
import type { ComputeModel } from '../../model/compute.ts';
import { partitionOf, ref, type ModelContext } from '../../model/context.ts';
import { albEdgeModel } from '../../model/network.ts';
import { logsKmsKeyArn } from '../network/logs-key.ts';
import { Alb } from './alb.ts';
import { ServiceDiscovery } from './discovery.ts';
import { GeneratedSecret } from './generated-secrets.ts';
import { SecretLookups } from './secret-lookups.ts';
import { ServiceRoles } from './roles.ts';
import { ScheduledRun } from './schedule.ts';
import { FargateService } from './service.ts';
import { ServiceTask } from './task-definition.ts';

export interface AwsComputeProps {
  readonly ctx: ModelContext;
  readonly model: ComputeModel;
  readonly inputs: TierInputs;
}

/** The compute tier on AWS: the ECS cluster, each service's roles/task/service/scaling, scheduled runs, and the ALB. */
export class AwsCompute extends Construct {
  readonly cluster: EcsCluster;
  readonly alb?: Alb;
  readonly discovery: ServiceDiscovery;
  readonly services: FargateService[];
  readonly schedules: ScheduledRun[];
  readonly outputs: Record<string, unknown>;

  constructor(scope: Construct, id: string, { ctx, model, inputs }: AwsComputeProps) {
    super(scope, id);
    const { region, accountId } = ctx.target.spec as { region: string; accountId: string };
    const privateSubnetIds = inputs.list(ref('network', 'privateSubnetIds'));
    this.cluster = new EcsCluster(this, 'cluster', { name: model.clusterName, setting: [{ name: 'containerInsights', value: 'enabled' }] });

    this.discovery = new ServiceDiscovery(this, 'discovery', { model: model.discovery, services: model.services, vpcId: inputs.string(ref('network', 'vpcId')) });
    if (model.alb) {
      this.alb = new Alb(this, 'alb', {
        model: model.alb,
        edge: albEdgeModel(ctx),
        services: model.services,
        vpcId: inputs.string(ref('network', 'vpcId')),
        subnetIds: inputs.list(ref('network', 'publicSubnetIds')),
        securityGroupId: inputs.string(ref('network', 'albSecurityGroupId')),
      });
    }
    const data = ctx.spec.data;
    // Queue ARNs one by one (counts come from the spec): a policy must name each.
    const queueArns = (data?.queues ?? []).map((_, i) => inputs.string(ref('data', 'queueArns', i)));
    // The app user only: a token for the master user (or any other) is refused.
    const dbUserArn = data?.postgres
      ? `arn:${partitionOf(ctx.target)}:rds-db:${region}:${accountId}:dbuser:${inputs.string(ref('data', 'postgresClusterResourceId'))}/${inputs.string(ref('data', 'postgresAppUser'))}`
      : undefined;
    // Each secret the spec names, resolved once to its exact ARN: the task and the execution role use the same one.
    const lookups = new SecretLookups(this, 'secret', model.services.flatMap((s) => Object.values(s.secrets)));

    const tasks = new Map<string, { task: ServiceTask; roles: ServiceRoles }>();
    this.services = model.services.map((s) => {
      const generated = s.generatedSecrets.map((g) => new GeneratedSecret(this, `${s.name}_generated_${g.name}`, { model: g, service: s.serviceName }));
      // ECS gets each secret's exact ARN; the execution role may read exactly those.
      const { environment, secrets } = serviceEnvironment(lookups.resolve(s), inputs, new Map(generated.map((g, i) => [s.generatedSecrets[i].name, g.secret.arn])));
      // Deduplicated by reference: each resolution of an output is a new token string.
      const arnRefs = new Map(s.injectedSecrets.flatMap((v) => (v.secretArn ? [[`${v.secretArn.tier}.${v.secretArn.output}`, v.secretArn] as const] : [])));
      const injectedSecretArns = [...arnRefs.values()].map((r) => inputs.string(r));
      const logGroup = new CloudwatchLogGroup(this, `${s.name}_log_group`, { name: s.logGroupName, retentionInDays: model.logRetentionDays, kmsKeyId: logsKmsKeyArn(inputs) });
      const roles = new ServiceRoles(this, `${s.name}_roles`, {
        model: s,
        logGroupArn: logGroup.arn,
        secretArns: [...lookups.arns(s), ...injectedSecretArns, ...generated.map((g) => g.secret.arn)],
        queueArns,
        dbUserArn,
        xray: model.xray,
      });
      const task = new ServiceTask(this, `${s.name}_task`, {
        model: s, region, logGroupName: logGroup.name, environment, secrets, xray: model.xray,
        executionRoleArn: roles.executionRole.arn, taskRoleArn: roles.taskRole.arn,
        // No task may start before its generated secrets have a value.
        dependsOn: generated.map((g) => g.version),
      });
      tasks.set(s.name, { task, roles });
      const tg = this.alb?.targetGroups.get(s.name);
      return new FargateService(this, `${s.name}_service`, {
        model: s,
        clusterArn: this.cluster.arn,
        clusterName: this.cluster.name,
        taskDefinitionArn: task.taskDefinition.arn,
        subnetIds: privateSubnetIds,
        securityGroupId: inputs.string(ref('network', 'serviceSecurityGroupId')),
        registryArn: this.discovery.registries.get(s.name)!.arn,
        loadBalancer: tg && this.alb
          ? { targetGroupArn: tg.arn, resourceLabel: `${this.alb.lb.arnSuffix}/${tg.arnSuffix}`, listener: this.alb.https, lbArnSuffix: this.alb.lb.arnSuffix, targetGroupArnSuffix: tg.arnSuffix }
          : undefined,
        queueName: s.autoscaling?.queue ? inputs.string(ref('data', 'queueNames', s.autoscaling.queue.index)) : undefined,
      });
    });

    this.schedules = model.schedules.map((sch) => {
      const { task, roles } = tasks.get(sch.service)!;
      return new ScheduledRun(this, `schedule_${sch.name}`, {
        model: sch,
        partition: partitionOf(ctx.target),
        clusterArn: this.cluster.arn,
        taskDefinitionArn: task.taskDefinition.arn,
        passRoleArns: [roles.executionRole.arn, roles.taskRole.arn],
        subnetIds: privateSubnetIds,
        securityGroupId: inputs.string(ref('network', 'serviceSecurityGroupId')),
      });
    });

    this.outputs = {
      clusterName: this.cluster.name,
      clusterArn: this.cluster.arn,
      serviceNames: this.services.map((s) => s.service.name),
      logGroupNames: model.services.map((s) => s.logGroupName),
      ...(this.alb
        ? {
            albArn: this.alb.lb.arn,
            albArnSuffix: this.alb.lb.arnSuffix,
            albDnsName: this.alb.lb.dnsName,
            albZoneId: this.alb.lb.zoneId,
            targetGroupArnSuffixes: [...this.alb.targetGroups.values()].map((tg) => tg.arnSuffix),
          }
        : {}),
    };
  }
}
