import { describe, expect, it } from 'vitest';
import { awsExample, awsTier, FAKE_INPUTS, resources, withSpec } from '../../testing/fixtures.ts';

// Issue 12's compute findings, asserted on the synthesized JSON.
const staging = awsExample('chat-staging').environment;
const synth = (edit: (spec: Record<string, any>) => void) => awsTier('chat-staging', 'compute', FAKE_INPUTS, withSpec(staging, edit));
const container = (tf: Awaited<ReturnType<typeof awsTier>>['tf'], service: string) =>
  JSON.parse(resources(tf, 'aws_ecs_task_definition')[`compute_${service}_task_task_definition`].container_definitions)[0];

describe('secrets named by the spec', () => {
  it('are looked up once each, and the task and the execution role use the same exact ARN', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:chat/staging/stripe';
    const { tf } = await synth((s) => (s.compute.services[1].secrets.STRIPE_KEY = arn));
    const lookups = tf.data!.aws_secretsmanager_secret;
    // A name by name, a (possibly partial) ARN by ARN; the web and the worker share the name's lookup.
    expect(Object.values(lookups).map(({ name, arn }) => ({ name, arn }))).toEqual([{ name: 'chat/staging/django-secret-key', arn: undefined }, { name: undefined, arn }]);
    expect(Object.keys(lookups)).toHaveLength(2);
    for (const service of ['web', 'worker']) {
      const policy = JSON.parse(resources(tf, 'aws_iam_role_policy')[`compute_${service}_roles_execution_policy`].policy).Statement.find((s: { Sid: string }) => s.Sid === 'Secrets').Resource as string[];
      const secrets = container(tf, service).secrets as { name: string; valueFrom: string }[];
      const key = secrets.find((s) => s.name === 'DJANGO_SECRET_KEY')!.valueFrom;
      expect(key).toMatch(/^\$\{data\.aws_secretsmanager_secret\.compute_secret_chat_staging_django-secret-key_[0-9a-f]{6}\.arn\}$/);
      // Every secret the task reads is one the role may read, exactly (no -?????? wildcard).
      for (const s of secrets) expect(policy).toContain(s.valueFrom);
      expect(policy.join()).not.toContain('?');
    }
    const stripe = (container(tf, 'worker').secrets as { name: string; valueFrom: string }[]).find((s) => s.name === 'STRIPE_KEY')!.valueFrom;
    expect(stripe).toMatch(/^\$\{data\.aws_secretsmanager_secret\.compute_secret_chat_staging_stripe_[0-9a-f]{6}\.arn\}$/);
  });
});

describe('a singleton service', () => {
  it('deploys by stopping its one task first (0% / 100%) and has no scaling', async () => {
    const { tf } = await synth((s) => s.compute.services.push({ name: 'beat', image: 'x', command: ['celery', 'beat'], singleton: true }));
    const services = resources(tf, 'aws_ecs_service');
    expect(services.compute_beat_service_service).toMatchObject({ desired_count: 1, deployment_minimum_healthy_percent: 0, deployment_maximum_percent: 100 });
    expect(services.compute_web_service_service).toMatchObject({ deployment_minimum_healthy_percent: 100, deployment_maximum_percent: 200 });
    expect(resources(tf, 'aws_appautoscaling_target').compute_beat_service_scaling_target).toBeUndefined();
  });
  it('refuses autoscaling and more than one task at their paths', () => {
    expect(() => withSpec(staging, (s) => (s.compute.services[1].singleton = true))).toThrow('spec.compute.services[1].autoscaling: a singleton service never scales: remove autoscaling or singleton');
    expect(() => withSpec(staging, (s) => s.compute.services.push({ name: 'beat', image: 'x', singleton: true, desiredCount: 2 }))).toThrow('spec.compute.services[2].desiredCount: 2: a singleton service runs at most 1 task');
  });
});

describe('a service without a port', () => {
  it('gets no port mapping, target group or load balancer; a public one without a port listens on 8000', async () => {
    const { tf } = await synth((s) => delete s.compute.services[0].port);
    expect(container(tf, 'worker').portMappings).toBeUndefined();
    expect(resources(tf, 'aws_ecs_service').compute_worker_service_service.load_balancer).toBeUndefined();
    expect(Object.keys(resources(tf, 'aws_lb_target_group'))).toEqual(['compute_alb_target_group_web']);
    expect(container(tf, 'web').portMappings).toEqual([{ containerPort: 8000, protocol: 'tcp' }]);
  });
  it('opens no security group port: no ALB or service-to-service ingress for it', async () => {
    const withWorkerPort = await awsTier('chat-staging', 'network', undefined, withSpec(staging, (s) => (s.compute.services[1].port = 9100)));
    const ingress = (tf: typeof withWorkerPort.tf) => Object.values(resources(tf, 'aws_vpc_security_group_ingress_rule')).map((r) => r.from_port).sort();
    expect(ingress(withWorkerPort.tf)).toContain(9100);
    const { tf } = await awsTier('chat-staging', 'network');
    expect(ingress(tf)).not.toContain(9100);
    // Only the web's 8000 (from the ALB, and from services), besides 443/80 and the data stores.
    expect(ingress(tf)).toEqual([443, 5432, 6379, 80, 8000, 8000].sort());
  });
});

describe('scaling', () => {
  it('scales a WebSocket service on ALB connections per healthy target, with CPU and requests', async () => {
    const { tf } = await synth((s) => (s.compute.services[0].autoscaling.connectionsPerTarget = 500));
    const policies = resources(tf, 'aws_appautoscaling_policy');
    expect(Object.keys(policies).filter((k) => k.startsWith('compute_web_')).sort()).toEqual(['compute_web_service_scaling_connections', 'compute_web_service_scaling_cpu', 'compute_web_service_scaling_requests']);
    const config = policies.compute_web_service_scaling_connections.target_tracking_scaling_policy_configuration;
    expect(config.target_value).toBe(500);
    expect(config.predefined_metric_specification).toBeUndefined();
    const [connections, healthy, perTarget] = config.customized_metric_specification.metrics;
    expect(connections).toEqual({
      id: 'connections', return_data: false,
      metric_stat: { stat: 'Sum', metric: { namespace: 'AWS/ApplicationELB', metric_name: 'ActiveConnectionCount', dimensions: [{ name: 'LoadBalancer', value: '${aws_lb.compute_alb_lb.arn_suffix}' }] } },
    });
    expect(healthy.metric_stat.metric).toMatchObject({ metric_name: 'HealthyHostCount', dimensions: [{ name: 'LoadBalancer', value: '${aws_lb.compute_alb_lb.arn_suffix}' }, { name: 'TargetGroup', value: '${aws_lb_target_group.compute_alb_target_group_web.arn_suffix}' }] });
    expect(perTarget).toMatchObject({ id: 'per_target', expression: 'IF(healthy > 0, connections / 2 / healthy, connections / 2)', return_data: true });
  });
  it('scales a worker on the visible messages of the queue it consumes, per running task', async () => {
    const { tf } = await synth((s) => Object.assign(s.compute.services[1].autoscaling, { queue: 'notifications' }));
    const config = resources(tf, 'aws_appautoscaling_policy').compute_worker_service_scaling_queue.target_tracking_scaling_policy_configuration;
    expect(config.target_value).toBe(100);
    const [visible, tasks, perTask] = config.customized_metric_specification.metrics;
    expect(visible.metric_stat.metric).toEqual({ namespace: 'AWS/SQS', metric_name: 'ApproximateNumberOfMessagesVisible', dimensions: [{ name: 'QueueName', value: 'q-notifications.fifo' }] });
    expect(tasks.metric_stat.metric).toEqual({
      namespace: 'ECS/ContainerInsights', metric_name: 'RunningTaskCount',
      dimensions: [{ name: 'ClusterName', value: '${aws_ecs_cluster.compute_cluster.name}' }, { name: 'ServiceName', value: 'chat-staging-compute-worker' }],
    });
    expect(perTask.expression).toBe('IF(tasks > 0, visible / tasks, visible)');
    const custom = await synth((s) => Object.assign(s.compute.services[1].autoscaling, { queue: 'default', messagesPerTask: 20 }));
    const customConfig = resources(custom.tf, 'aws_appautoscaling_policy').compute_worker_service_scaling_queue.target_tracking_scaling_policy_configuration;
    expect(customConfig.target_value).toBe(20);
    expect(customConfig.customized_metric_specification.metrics[0].metric_stat.metric.dimensions).toEqual([{ name: 'QueueName', value: 'q-default' }]);
  });
  it('refuses a queue that is not declared, messagesPerTask without a queue, and connections on a private service', () => {
    expect(() => withSpec(staging, (s) => (s.compute.services[1].autoscaling.queue = 'emails'))).toThrow('spec.compute.services[1].autoscaling.queue: no queue named emails in data.queues (queues: default, notifications)');
    expect(() => withSpec(staging, (s) => (s.compute.services[1].autoscaling.messagesPerTask = 5))).toThrow('spec.compute.services[1].autoscaling.messagesPerTask: needs autoscaling.queue');
    expect(() => withSpec(staging, (s) => (s.compute.services[1].autoscaling.connectionsPerTarget = 5))).toThrow('spec.compute.services[1].autoscaling.connectionsPerTarget: needs a public service');
  });
});
