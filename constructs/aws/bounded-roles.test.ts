import { describe, expect, it } from 'vitest';
import { synthesizeEnvironment } from '../index.ts';
import { awsExample } from '../testing/fixtures.ts';

const roles = (json: string) => Object.values((JSON.parse(json).resource?.aws_iam_role ?? {}) as Record<string, { path?: string; permissions_boundary?: string }>);

describe('tier roles in a bootstrapped account', () => {
  const { environment, target } = awsExample('chat-prod');
  const bootstrapped = { ...target, spec: { ...target.spec, roleArn: `arn:aws:iam::${target.spec.accountId}:role/terrace/terrace-execution` } };

  it('live under /terrace/ with the terrace boundary, which the execution role requires of every role it creates', () => {
    const all = synthesizeEnvironment(environment, bootstrapped).flatMap((t) => roles(t.json));
    expect(all.length).toBeGreaterThan(2);
    for (const role of all) expect(role).toMatchObject({ path: '/terrace/', permissions_boundary: `arn:aws:iam::${target.spec.accountId}:policy/terrace/terrace-boundary` });
  });

  it('stay as they are where the Target role was made by hand', () => {
    const all = synthesizeEnvironment(environment, target).flatMap((t) => roles(t.json));
    expect(all.length).toBeGreaterThan(2);
    for (const role of all) expect([role.path, role.permissions_boundary]).toEqual([undefined, undefined]);
  });
});
