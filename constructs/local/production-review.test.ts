import { describe, expect, it } from 'vitest';
import { synthesizeTier } from '../index.ts';
import { devEnvironment, FAKE_INPUTS, LOCAL_TARGET, resources } from '../testing/fixtures.ts';

// The local target records what the AWS tiers would get for issue 12's data and compute settings.
const local = (edit: (s: Record<string, any>) => void, tier: 'data' | 'compute') => {
  const { json } = synthesizeTier({ environment: devEnvironment('chat-dev', edit), target: LOCAL_TARGET, tier, inputs: FAKE_INPUTS });
  return { tf: resources(json, 'terraform_data'), outputs: JSON.parse(json).output as Record<string, { value: unknown }> };
};

describe('local target, production review settings', () => {
  it('records the setup task, reader autoscaling, and outputs what the controller needs to start the task', () => {
    const { tf, outputs } = local((s) => Object.assign(s.data.postgres, { readers: 1, readerAutoscaling: { maxReaders: 3 } }), 'data');
    expect(tf.data_db_setup_task.input).toMatchObject({
      family: 'chat-dev-data-db-setup', container: 'psql', image: expect.stringMatching(/^public\.ecr\.aws\/docker\/library\/postgres:/),
      environment: { PGDATABASE: 'chat_dev', PGSSLMODE: 'require', PGPORT: '5432' },
      secrets: { PGUSER: expect.stringMatching(/:username::$/), PGPASSWORD: expect.stringMatching(/:password::$/) },
    });
    expect(tf.data_postgres_reader_autoscaling.input).toEqual({ resource_id: 'cluster:chat-dev-data-pg', scalable_dimension: 'rds:cluster:ReadReplicaCount', min_capacity: 1, max_capacity: 3, cpu_target: 70 });
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['postgresAppUser', 'dbSetupClusterArn', 'dbSetupTaskDefinitionArn', 'dbSetupContainer', 'dbSetupSubnetIds', 'dbSetupSecurityGroupId', 'dbSetupLogGroup']));
    expect(outputs.postgresAppUser.value).toBe('terrace_app');
  });
  it('records a singleton\'s deployment bounds and a worker\'s queue scaling', () => {
    const { tf } = local((s) => {
      s.compute.services.push({ name: 'beat', image: 'x', singleton: true });
      s.compute.services[1].autoscaling = { min: 1, max: 5, queue: 'default', messagesPerTask: 50 };
    }, 'compute');
    expect(tf.compute_service_beat.input).toMatchObject({ deployment_minimum_healthy_percent: 0, deployment_maximum_percent: 100, load_balancer: null });
    expect(tf.compute_service_web.input).toMatchObject({ deployment_minimum_healthy_percent: 100, deployment_maximum_percent: 200 });
    expect(tf.compute_service_beat_task.input.containers[0].port).toBeNull();
    expect(tf.compute_service_worker_autoscaling.input.queue).toEqual({ name: 'q-default', messages_per_task: 50 });
  });
});
