import { describe, expect, it } from 'vitest';
import { promotedSpec } from './promote-command.ts';

// What promote copies and what the destination keeps, on plain specs (the CLI end to end is in ci-commands.test.ts).
describe('promotedSpec', () => {
  const staging = {
    target: 'aws-staging', approval: 'auto',
    network: { cidr: '10.20.0.0/16', natGateways: 'single', albDeletionProtection: false },
    data: { postgres: { extensions: ['pgvector'], deletionProtection: false, backupRetentionDays: 1, maxCapacity: 4 } },
    compute: { domain: { name: 'staging.example.com' }, services: [{ name: 'web', image: 'app:2.0' }] },
    observability: { alarmEmail: 'staging@example.com', logRetentionDays: 7 },
  };
  const prod = {
    target: 'aws-prod', approval: 'manual',
    network: { cidr: '10.30.0.0/16', natGateways: 'perAz', albDeletionProtection: true },
    data: { postgres: { extensions: [], deletionProtection: true, backupRetentionDays: 30, maxCapacity: 16 } },
    compute: { domain: { name: 'example.com' }, services: [{ name: 'web', image: 'app:1.0' }] },
    observability: { alarmEmail: 'oncall@example.com', logRetentionDays: 90 },
  };

  it("copies images, services and extensions; keeps the destination's network, protection, backups and alarms", () => {
    const out = promotedSpec(staging, prod) as typeof prod;
    expect(out.compute.services[0].image).toBe('app:2.0');
    expect(out.data.postgres.extensions).toEqual(['pgvector']);
    expect(out.data.postgres.maxCapacity).toBe(4);
    // What would replace prod's VPC, lift its database's protection or move its pages stays prod's.
    expect(out.network).toEqual(prod.network);
    expect(out.data.postgres).toMatchObject({ deletionProtection: true, backupRetentionDays: 30 });
    expect(out.observability).toEqual(prod.observability);
    expect([out.target, out.approval, out.compute.domain]).toEqual(['aws-prod', 'manual', { name: 'example.com' }]);
  });
});
