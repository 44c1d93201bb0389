import { describe, expect, it } from 'vitest';
import { ValidationError, parseEnvironment } from './validate.ts';

const doc = (schedules: unknown) => ({
  apiVersion: 'terrace.dev/v1alpha1',
  kind: 'Environment',
  metadata: { name: 'cron-env' },
  spec: { target: 'local', network: {}, compute: { services: [{ name: 'worker', image: 'ghcr.io/a/w:1' }], schedules } },
});

function problems(schedules: unknown) {
  try {
    parseEnvironment(doc(schedules));
  } catch (err) {
    if (err instanceof ValidationError) return err.problems;
    throw err;
  }
  return [];
}

describe('spec.compute.schedules', () => {
  it('takes cron and rate expressions on a service, with an optional command', () => {
    const env = parseEnvironment(doc([
      { name: 'nightly', schedule: 'cron(0 3 * * ? *)', service: 'worker', command: ['sh', '-c', 'python manage.py clearsessions'] },
      { name: 'hourly', schedule: 'rate(1 hour)', service: 'worker' },
    ]));
    expect(env.spec.compute!.schedules!.map((s) => s.name)).toEqual(['nightly', 'hourly']);
    expect(parseEnvironment(doc(undefined)).spec.compute!.schedules).toBeUndefined();
  });

  it('refuses a schedule of a service that does not exist, a duplicate name, a bad expression and unknown fields', () => {
    expect(problems([
      { name: 'nightly', schedule: 'cron(0 3 * * ? *)', service: 'web' },
      { name: 'nightly', schedule: '0 3 * * *', service: 'worker', image: 'x' },
    ])).toEqual([
      { path: 'spec.compute.schedules[1].image', message: 'unknown field' },
      { path: 'spec.compute.schedules[1].schedule', message: '"0 3 * * *" is not valid: EventBridge Scheduler expression: cron(0 3 * * ? *) or rate(1 hour), in UTC' },
      { path: 'spec.compute.schedules[1].name', message: 'duplicate schedule name nightly' },
      { path: 'spec.compute.schedules[0].service', message: 'no service named web (services: worker)' },
    ]);
  });

  it.each([
    ['cron(0 3 * *)', /has 4 fields: EventBridge takes six/],
    ['cron(* * * * * *)', /exactly one of day-of-month and day-of-week must be \?/],
    ['cron(0 3 1 * MON *)', /exactly one of day-of-month and day-of-week must be \?/],
    ['cron(0 3 ? * ? *)', /exactly one of day-of-month and day-of-week must be \?/],
  ])('refuses %s, which EventBridge Scheduler would reject at apply', (schedule, message) => {
    const found = problems([{ name: 'nightly', schedule, service: 'worker' }]);
    expect(found).toEqual([{ path: 'spec.compute.schedules[0].schedule', message: expect.stringMatching(message) }]);
  });

  it('takes the day-of-week form too', () => {
    expect(problems([{ name: 'weekly', schedule: 'cron(0 3 ? * MON *)', service: 'worker' }])).toEqual([]);
  });
});
