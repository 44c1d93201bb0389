import { describe, expect, it } from 'vitest';
import { awsExample, awsTier, FAKE_INPUTS, resources, withSpec } from '../../testing/fixtures.ts';

const containers = (tf: Awaited<ReturnType<typeof awsTier>>['tf'], service: string) =>
  JSON.parse(resources(tf, 'aws_ecs_task_definition')[`compute_${service}_task_task_definition`].container_definitions);

describe('AWS compute tier', () => {
  it('runs each service on Fargate in private subnets with rollback on failed deployments', async () => {
    const { tf } = await awsTier('chat-staging', 'compute', FAKE_INPUTS);
    expect(resources(tf, 'aws_ecs_cluster').compute_cluster.setting).toEqual([{ name: 'containerInsights', value: 'enabled' }]);
    expect(resources(tf, 'aws_ecs_service').compute_web_service_service).toMatchObject({
      launch_type: 'FARGATE',
      network_configuration: { subnets: ['subnet-priv1', 'subnet-priv2'], security_groups: ['sg-svc'], assign_public_ip: false },
      deployment_circuit_breaker: { enable: true, rollback: true },
      load_balancer: [{ container_name: 'web', container_port: 8000, target_group_arn: '${aws_lb_target_group.compute_alb_target_group_web.arn}' }],
      lifecycle: { ignore_changes: ['desired_count'] },
    });
    expect(resources(tf, 'aws_ecs_service').compute_worker_service_service.load_balancer).toBeUndefined();
    expect(resources(tf, 'aws_ecs_task_definition').compute_web_task_task_definition).toMatchObject({ cpu: '1024', memory: '2048', network_mode: 'awsvpc', requires_compatibilities: ['FARGATE'] });
  });

  it("gives the container Daphne's command, data endpoints, secrets and awslogs; X-Ray as a sidecar", async () => {
    const { tf } = await awsTier('chat-staging', 'compute', FAKE_INPUTS);
    const [web, xray] = containers(tf, 'web');
    expect(web.command).toEqual(['daphne', '-b', '0.0.0.0', '-p', '8000', 'chat.asgi:application']);
    const env = Object.fromEntries(web.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toMatchObject({
      DATABASE_HOST: 'pg.cluster-x.eu-west-1.rds.amazonaws.com',
      REDIS_URL: 'rediss://master.redis.x.euw1.cache.amazonaws.com:6379/0',
      QUEUE_NOTIFICATIONS_URL: 'https://sqs/q-notifications.fifo',
      DJANGO_SETTINGS_MODULE: 'chat.settings.staging',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    });
    expect(env).toMatchObject({ DATABASE_USER: 'terrace_app', DATABASE_IAM_AUTH: 'true', DATABASE_SSLMODE: 'require' });
    // Nothing of the master secret reaches the app.
    expect(JSON.stringify(web)).not.toContain(FAKE_INPUTS.data.postgresSecretArn);
    expect(web.secrets.map((s: { name: string }) => s.name)).toEqual(['DJANGO_SECRET_KEY', 'REDIS_AUTH_TOKEN']);
    expect(web.logConfiguration).toEqual({ logDriver: 'awslogs', options: { 'awslogs-group': '${aws_cloudwatch_log_group.compute_web_log_group.name}', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'web' } });
    expect(xray).toMatchObject({ name: 'xray-daemon', essential: false });
    expect(resources(tf, 'aws_cloudwatch_log_group').compute_web_log_group.retention_in_days).toBe(30);
  });

  it("scopes the roles to this environment's log group, secrets and queues", async () => {
    const { tf } = await awsTier('chat-staging', 'compute', FAKE_INPUTS);
    const exec = JSON.parse(resources(tf, 'aws_iam_role_policy').compute_web_roles_execution_policy.policy).Statement;
    expect(exec.find((s: { Sid: string }) => s.Sid === 'Secrets').Resource).toEqual([
      '${data.aws_secretsmanager_secret.compute_secret_chat_staging_django-secret-key_346aa6.arn}',
      FAKE_INPUTS.data.redisAuthSecretArn,
    ]);
    expect(exec.find((s: { Sid: string }) => s.Sid === 'Logs').Resource).toBe('${aws_cloudwatch_log_group.compute_web_log_group.arn}:*');
    const task = JSON.parse(resources(tf, 'aws_iam_role_policy').compute_worker_roles_task_policy.policy).Statement;
    expect(task.find((s: { Sid: string }) => s.Sid === 'Queues').Resource).toEqual(FAKE_INPUTS.data.queueArns);
    // The app user's ARN exactly: no token for the master user or any other.
    expect(task.find((s: { Sid: string }) => s.Sid === 'DatabaseIamAuth')).toEqual({ Sid: 'DatabaseIamAuth', Effect: 'Allow', Action: 'rds-db:connect', Resource: 'arn:aws:rds-db:eu-west-1:222222222222:dbuser:cluster-ABC/terrace_app' });
  });

  it('creates each generated secret with a value AWS generates once, injects it by ARN and lets only its service read it', async () => {
    const { tf } = await awsTier('chat-prod', 'compute', FAKE_INPUTS);
    const id = 'compute_web_generated_CHANNELS_SIGNING_KEY';
    expect(resources(tf, 'aws_secretsmanager_secret')[`${id}_secret`]).toMatchObject({ name: 'terrace/chat-prod/web/CHANNELS_SIGNING_KEY', recovery_window_in_days: 7 });
    expect(resources(tf, 'aws_secretsmanager_secret')[`${id}_secret`].kms_key_id).toBeUndefined();
    expect(tf.data!.aws_secretsmanager_random_password[`${id}_random`]).toMatchObject({ password_length: 48, exclude_punctuation: true });
    expect(resources(tf, 'aws_secretsmanager_secret_version')[`${id}_version`]).toMatchObject({
      secret_id: `\${aws_secretsmanager_secret.${id}_secret.id}`,
      secret_string: `\${data.aws_secretsmanager_random_password.${id}_random.random_password}`,
      lifecycle: { ignore_changes: ['secret_string'] },
    });
    const arn = `\${aws_secretsmanager_secret.${id}_secret.arn}`;
    const [web] = containers(tf, 'web');
    expect(web.secrets).toContainEqual({ name: 'CHANNELS_SIGNING_KEY', valueFrom: arn });
    expect(resources(tf, 'aws_ecs_task_definition').compute_web_task_task_definition.depends_on).toEqual([`aws_secretsmanager_secret_version.${id}_version`]);
    const policy = (role: string) => JSON.parse(resources(tf, 'aws_iam_role_policy')[`compute_${role}_roles_execution_policy`].policy).Statement.find((s: { Sid: string }) => s.Sid === 'Secrets').Resource;
    expect(policy('web')).toContain(arn);
    expect(policy('worker')).not.toContain(arn);
    expect(JSON.stringify(resources(tf, 'aws_ecs_task_definition').compute_worker_task_task_definition)).not.toContain('CHANNELS_SIGNING_KEY');
  });

  it('puts public services behind an HTTPS-only ALB sized for WebSockets', async () => {
    const { tf } = await awsTier('chat-staging', 'compute', FAKE_INPUTS);
    expect(resources(tf, 'aws_lb').compute_alb_lb).toMatchObject({ idle_timeout: 3600, drop_invalid_header_fields: true, internal: false, subnets: ['subnet-pub1', 'subnet-pub2'], security_groups: ['sg-alb'] });
    const listeners = resources(tf, 'aws_lb_listener');
    expect(listeners.compute_alb_https).toMatchObject({ port: 443, protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', certificate_arn: 'arn:aws:acm:eu-west-1:222222222222:certificate/11111111-2222-3333-4444-555555555555' });
    expect(listeners.compute_alb_http.default_action).toEqual([{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }]);
    expect(resources(tf, 'aws_lb_target_group').compute_alb_target_group_web).toMatchObject({
      target_type: 'ip',
      deregistration_delay: '120',
      health_check: { path: '/healthz' },
      stickiness: { type: 'lb_cookie', enabled: true, cookie_duration: 86400 },
      vpc_id: 'vpc-0123',
    });
  });

  it('scales on CPU, and on ALB requests per target when asked', async () => {
    const { tf } = await awsTier('chat-staging', 'compute', FAKE_INPUTS);
    expect(resources(tf, 'aws_appautoscaling_target').compute_web_service_scaling_target).toMatchObject({ min_capacity: 2, max_capacity: 6, resource_id: 'service/${aws_ecs_cluster.compute_cluster.name}/${aws_ecs_service.compute_web_service_service.name}' });
    const policies = resources(tf, 'aws_appautoscaling_policy');
    expect(policies.compute_web_service_scaling_cpu.target_tracking_scaling_policy_configuration).toMatchObject({ target_value: 60, predefined_metric_specification: { predefined_metric_type: 'ECSServiceAverageCPUUtilization' } });
    expect(policies.compute_web_service_scaling_requests.target_tracking_scaling_policy_configuration).toMatchObject({
      target_value: 1000,
      predefined_metric_specification: { predefined_metric_type: 'ALBRequestCountPerTarget', resource_label: '${aws_lb.compute_alb_lb.arn_suffix}/${aws_lb_target_group.compute_alb_target_group_web.arn_suffix}' },
    });
    expect(policies.compute_worker_service_scaling_requests).toBeUndefined();
  });

  it('registers every service in a Cloud Map private DNS namespace on the VPC: <service>.<environment>.internal, A records', async () => {
    const { tf } = await awsTier('chat-staging', 'compute', FAKE_INPUTS);
    expect(resources(tf, 'aws_service_discovery_private_dns_namespace').compute_discovery_namespace).toEqual(expect.objectContaining({ name: 'chat-staging.internal', vpc: 'vpc-0123' }));
    const registries = resources(tf, 'aws_service_discovery_service');
    expect(Object.keys(registries).sort()).toEqual(['compute_discovery_service_web', 'compute_discovery_service_worker']);
    expect(registries.compute_discovery_service_worker).toMatchObject({
      name: 'worker',
      force_destroy: true,
      dns_config: { namespace_id: '${aws_service_discovery_private_dns_namespace.compute_discovery_namespace.id}', routing_policy: 'MULTIVALUE', dns_records: [{ type: 'A', ttl: 10 }] },
      health_check_custom_config: { failure_threshold: 1 },
    });
    const services = resources(tf, 'aws_ecs_service');
    expect(services.compute_worker_service_service.service_registries).toEqual({ registry_arn: '${aws_service_discovery_service.compute_discovery_service_worker.arn}' });
    expect(services.compute_web_service_service.service_registries).toEqual({ registry_arn: '${aws_service_discovery_service.compute_discovery_service_web.arn}' });
  });

  it('routes services with paths through listener rules', async () => {
    const { environment } = awsExample('chat-staging');
    const env = withSpec(environment, (s) => s.compute.services.push({ name: 'admin', image: 'x', public: true, port: 9000, paths: ['/admin/*'] }));
    const { tf } = await awsTier('chat-staging', 'compute', FAKE_INPUTS, env);
    expect(resources(tf, 'aws_lb_listener_rule').compute_alb_rule_admin).toMatchObject({
      priority: 110,
      listener_arn: '${aws_lb_listener.compute_alb_https.arn}',
      condition: [{ path_pattern: { values: ['/admin/*'] } }],
      action: [{ type: 'forward', target_group_arn: '${aws_lb_target_group.compute_alb_target_group_admin.arn}' }],
    });
    expect(resources(tf, 'aws_lb_target_group').compute_alb_target_group_admin).toMatchObject({ deregistration_delay: '30', stickiness: { enabled: false } });
  });
});
