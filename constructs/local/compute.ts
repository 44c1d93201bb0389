import { Construct } from 'constructs';
import type { DataResource } from '../core/cdktf.ts';
import type { TierInputs } from '../core/inputs.ts';
import { serviceEnvironment } from '../core/service-env.ts';
import { XRAY_IMAGE, type ComputeModel, type ServiceModel } from '../model/compute.ts';
import { ref } from '../model/context.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, fakeId, record, recorded } from './record.ts';

export interface LocalComputeProps {
  readonly model: ComputeModel;
  readonly inputs: TierInputs;
}

/** The compute tier as terraform_data: ECS cluster, the Cloud Map namespace, per service task/service/name/scaling, scheduled runs, and the ALB. */
export class LocalCompute extends Construct {
  readonly cluster: DataResource;
  readonly services: DataResource[];
  readonly outputs: Record<string, unknown>;

  constructor(scope: Construct, id: string, { model, inputs }: LocalComputeProps) {
    super(scope, id);
    const net = {
      privateSubnetIds: inputs.list(ref('network', 'privateSubnetIds')),
      publicSubnetIds: inputs.list(ref('network', 'publicSubnetIds')),
      serviceSecurityGroupId: inputs.string(ref('network', 'serviceSecurityGroupId')),
      albSecurityGroupId: inputs.string(ref('network', 'albSecurityGroupId')),
    };
    this.cluster = record(this, 'cluster', { name: model.clusterName, container_insights: 'enabled' });
    const clusterName = recorded(this.cluster, 'name');
    const namespace = record(this, 'discovery_namespace', {
      name: model.discovery.namespaceName,
      type: 'DNS_PRIVATE',
      description: model.discovery.description,
      vpc: inputs.string(ref('network', 'vpcId')),
    });

    const alb = model.alb && record(this, 'alb', {
      name: model.alb.name,
      internal: false,
      idle_timeout: model.alb.idleTimeoutSeconds,
      drop_invalid_header_fields: true,
      subnets: net.publicSubnetIds,
      security_groups: [net.albSecurityGroupId],
    });
    const targetGroups = new Map<string, DataResource>();
    for (const s of model.services) {
      if (!s.target) continue;
      targetGroups.set(s.name, record(this, `target_group_${s.name}`, {
        name: s.target.groupName,
        target_type: 'ip',
        protocol: 'HTTP',
        port: s.port,
        health_check: { path: s.healthCheckPath, matcher: '200-399' },
        deregistration_delay: s.target.deregistrationDelay,
        stickiness: s.target.stickinessSeconds === undefined ? { enabled: false } : { enabled: true, type: 'lb_cookie', cookie_duration: s.target.stickinessSeconds },
      }));
    }
    if (alb && model.alb) {
      const tgArn = (name: string) => `arn:aws:elasticloadbalancing:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${recorded(targetGroups.get(name)!, 'name')}`;
      const https = record(this, 'listener_https', {
        load_balancer: recorded(alb, 'name'),
        port: 443,
        protocol: 'HTTPS',
        ssl_policy: model.alb.sslPolicy,
        certificate_arn: model.alb.certificateArn,
        default_action: { type: 'forward', target_group: tgArn(model.alb.defaultService) },
      });
      record(this, 'listener_http', {
        load_balancer: recorded(alb, 'name'),
        port: 80,
        protocol: 'HTTP',
        default_action: { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } },
      });
      for (const s of model.services) {
        if (!s.target?.rule) continue;
        record(this, `listener_rule_${s.name}`, { listener: fakeId(https, 'listener/'), priority: s.target.rule.priority, path_patterns: s.target.rule.paths, forward_to: tgArn(s.name) });
      }
    }

    this.services = model.services.map((s) => this.service(s, model, inputs, clusterName, net, namespace, targetGroups.get(s.name)));
    const services = new Map(model.services.map((s, i) => [s.name, this.services[i]]));
    for (const sch of model.schedules) {
      const service = services.get(sch.service)!;
      record(this, `schedule_${sch.name}`, {
        name: sch.scheduleName,
        schedule_expression: sch.expression,
        timezone: 'UTC',
        cluster: clusterName,
        task_definition: recorded(service, 'task_definition'),
        container: sch.service,
        command: sch.command ?? null,
        subnets: net.privateSubnetIds,
        security_groups: [net.serviceSecurityGroupId],
        role: sch.roleName,
      });
    }

    const albOutputs = alb && model.alb
      ? {
          albArn: `arn:aws:elasticloadbalancing:${LOCAL_REGION}:${LOCAL_ACCOUNT}:loadbalancer/app/${model.alb.name}/${fakeId(alb, '', 16)}`,
          albArnSuffix: `app/${model.alb.name}/${fakeId(alb, '', 16)}`,
          albDnsName: `${model.alb.name}-${fakeId(alb, '', 10)}.${LOCAL_REGION}.elb.amazonaws.com`,
          albZoneId: 'ZLOCAL00000000',
          targetGroupArnSuffixes: [...targetGroups.entries()].map(([, tg]) => `targetgroup/${recorded(tg, 'name')}/${fakeId(tg, '', 16)}`),
        }
      : {};
    this.outputs = {
      clusterName,
      clusterArn: `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster/${clusterName}`,
      serviceNames: this.services.map((svc) => recorded(svc, 'name')),
      logGroupNames: model.services.map((s) => s.logGroupName),
      ...albOutputs,
    };
  }

  private service(s: ServiceModel, model: ComputeModel, inputs: TierInputs, cluster: string, net: { privateSubnetIds: string[]; serviceSecurityGroupId: string }, namespace: DataResource, tg?: DataResource): DataResource {
    const logGroup = record(this, `service_${s.name}_log_group`, { name: s.logGroupName, retention_in_days: model.logRetentionDays });
    // Each generated secret is recorded by its name and how AWS would generate it, never a value.
    const generated = new Map(s.generatedSecrets.map((g) => {
      const secret = record(this, `service_${s.name}_generated_secret_${g.name}`, {
        name: g.secretName,
        random_password: { length: g.length, exclude_punctuation: g.excludePunctuation },
        ignore_changes: ['secret_string'],
      });
      return [g.name, `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${recorded(secret, 'name')}-${fakeId(secret, '', 6)}`] as const;
    }));
    const { environment, secrets } = serviceEnvironment(s, inputs, generated);
    const executionRole = record(this, `service_${s.name}_execution_role`, {
      name: s.executionRoleName,
      reads_secrets: secrets.map((x) => x.valueFrom),
      pulls_from: s.ecrRepositoryArns,
      writes_logs_to: recorded(logGroup, 'name'),
    });
    const taskRole = record(this, `service_${s.name}_task_role`, { name: s.taskRoleName, xray: model.xray });
    const containers: Record<string, unknown>[] = [{
      name: s.name,
      image: s.image,
      command: s.command ?? null,
      port: s.port ?? null,
      environment,
      secrets,
      log_group: recorded(logGroup, 'name'),
      stop_timeout: s.stopTimeoutSeconds,
    }];
    if (model.xray) containers.push({ name: 'xray-daemon', image: XRAY_IMAGE, port: 2000, protocol: 'udp', essential: false });
    const task = record(this, `service_${s.name}_task`, {
      family: s.family,
      cpu: s.cpu,
      memory: s.memory,
      network_mode: 'awsvpc',
      requires_compatibilities: ['FARGATE'],
      execution_role: recorded(executionRole, 'name'),
      task_role: recorded(taskRole, 'name'),
      containers,
    });
    const discovery = record(this, `service_${s.name}_discovery`, {
      name: s.discovery.name,
      namespace: recorded(namespace, 'name'),
      dns_name: s.discovery.dnsName,
      dns_records: [{ type: 'A', ttl: model.discovery.ttl }],
      routing_policy: 'MULTIVALUE',
      health_check: 'ecs',
      port: s.port ?? null,
    });
    const service = record(this, `service_${s.name}`, {
      name: s.serviceName,
      cluster,
      task_definition: `${recorded(task, 'family')}:${fakeId(task, '', 4)}`,
      desired_count: s.desiredCount,
      launch_type: 'FARGATE',
      subnets: net.privateSubnetIds,
      security_groups: [net.serviceSecurityGroupId],
      assign_public_ip: false,
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_minimum_healthy_percent: s.deployment.minimumHealthyPercent,
      deployment_maximum_percent: s.deployment.maximumPercent,
      service_registry: recorded(discovery, 'dns_name'),
      load_balancer: tg ? { target_group: recorded(tg, 'name'), container_name: s.name, container_port: s.port } : null,
    });
    if (s.autoscaling) {
      record(this, `service_${s.name}_autoscaling`, {
        resource_id: s.autoscaling.resourceId,
        min_capacity: s.autoscaling.min,
        max_capacity: s.autoscaling.max,
        cpu_target: s.autoscaling.cpuTarget,
        requests_per_target: s.autoscaling.requestsPerTarget ?? null,
        connections_per_target: s.autoscaling.connectionsPerTarget ?? null,
        queue: s.autoscaling.queue ? { name: inputs.string(ref('data', 'queueNames', s.autoscaling.queue.index)), messages_per_task: s.autoscaling.queue.messagesPerTask } : null,
        service: recorded(service, 'name'),
      });
    }
    return service;
  }
}
