import { describe, expect, it } from 'vitest';
import { synthesizeTier } from '../../index.ts';
import { awsExample, devEnvironment, FAKE_INPUTS, LOCAL_TARGET, resources, withSpec } from '../../testing/fixtures.ts';

const containerOf = (json: string, service: string) => JSON.parse(resources(json, 'aws_ecs_task_definition')[`compute_${service}_task_task_definition`].container_definitions)[0];

describe('a service\'s stopTimeoutSeconds', () => {
  const { environment, target } = awsExample('chat-staging');
  const synth = (edit: (spec: Record<string, any>) => void) => synthesizeTier({ environment: withSpec(environment, edit), target, tier: 'compute', inputs: FAKE_INPUTS }).json;

  it('AWS: is the container\'s stop timeout and the target group\'s drain', () => {
    const json = synth((s) => (s.compute.services[0].stopTimeoutSeconds = 90));
    expect(containerOf(json, 'web').stopTimeout).toBe(90);
    expect(resources(json, 'aws_lb_target_group').compute_alb_target_group_web.deregistration_delay).toBe('90');
  });

  it('AWS: defaults to 120 s with websocket settings and 30 s without', () => {
    const json = synth(() => {});
    expect(containerOf(json, 'web').stopTimeout).toBe(120);
    expect(containerOf(json, 'worker').stopTimeout).toBe(30);
  });

  it('local: records it with the container', () => {
    const local = devEnvironment('chat-dev', (s) => (s.compute.services[1].stopTimeoutSeconds = 45));
    const tf = resources(synthesizeTier({ environment: local, target: LOCAL_TARGET, tier: 'compute', inputs: FAKE_INPUTS }).json, 'terraform_data');
    expect(tf.compute_service_worker_task.input.containers[0].stop_timeout).toBe(45);
    expect(tf.compute_service_web_task.input.containers[0].stop_timeout).toBe(120);
  });

  it('is refused above Fargate\'s 120 s', () => {
    expect(() => withSpec(environment, (s) => (s.compute.services[0].stopTimeoutSeconds = 300))).toThrow('spec.compute.services[0].stopTimeoutSeconds: expected integer to be less or equal to 120');
  });
});
