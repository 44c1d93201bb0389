import { describe, expect, it } from 'vitest';
import { parseControlPlane, parseDocument, ValidationError } from './validate.ts';

const valid = () => ({
  apiVersion: 'terrace.dev/v1alpha1',
  kind: 'ControlPlane',
  metadata: { name: 'terrace' },
  spec: {
    accountId: '999999999999',
    region: 'eu-west-1',
    image: '999999999999.dkr.ecr.eu-west-1.amazonaws.com/terrace:0.1.0',
    targetAccounts: ['222222222222'],
    domain: { name: 'terrace.example.com', certificateArn: 'arn:aws:acm:eu-west-1:999999999999:certificate/abc' },
  },
});

function problems(edit: (doc: any) => void): { path: string; message: string }[] {
  const doc = valid();
  edit(doc);
  try {
    parseControlPlane(doc);
    return [];
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return err.problems;
  }
}

describe('the ControlPlane document', () => {
  it('fills defaults only where fields are absent: internal, two tasks, its own VPC range', () => {
    expect(parseControlPlane(valid()).spec).toMatchObject({ public: false, desiredCount: 2, cidr: '10.90.0.0/20' });
    expect(parseControlPlane({ ...valid(), spec: { ...valid().spec, public: true, desiredCount: 3 } }).spec).toMatchObject({ public: true, desiredCount: 3 });
  });

  it('reports wrong types at their path instead of defaulting them', () => {
    expect(problems((d) => (d.spec.public = 'yes'))).toEqual([{ path: 'spec.public', message: expect.stringContaining('boolean') }]);
    expect(problems((d) => (d.spec.targetAccounts = '222222222222')).map((p) => p.path)).toEqual(['spec.targetAccounts']);
    expect(problems((d) => (d.spec.targetAccounts = ['2222'])).map((p) => p.path)).toEqual(['spec.targetAccounts[0]']);
    expect(problems((d) => (d.spec.extra = 1))).toEqual([{ path: 'spec.extra', message: 'unknown field' }]);
    expect(problems((d) => (d.spec.desiredCount = 1)).map((p) => p.path)).toEqual(['spec.desiredCount']);
  });

  it('checks the certificate region and the VPC range like an Environment', () => {
    expect(problems((d) => (d.spec.domain.certificateArn = 'arn:aws:acm:us-east-1:999999999999:certificate/abc'))).toEqual([
      { path: 'spec.domain.certificateArn', message: 'is in us-east-1, not spec.region eu-west-1' },
    ]);
    expect(problems((d) => (d.spec.cidr = '10.90.0.1/20'))).toEqual([{ path: 'spec.cidr', message: '10.90.0.1/20 has host bits set' }]);
    expect(problems((d) => delete d.spec.targetAccounts)).toEqual([{ path: 'spec.targetAccounts', message: 'is required' }]);
  });

  it('takes allowedCidrs as canonical IPv4 ranges, at most 20, and the whole internet only when public', () => {
    expect(problems((d) => (d.spec.allowedCidrs = ['10.90.0.0/20', '172.16.0.0/12', '192.168.4.7/32']))).toEqual([]);
    expect(parseControlPlane(valid()).spec.allowedCidrs).toBeUndefined();
    expect(problems((d) => (d.spec.allowedCidrs = ['10.1.0.1/16', '010.2.0.0/16', '10.3.0.0', 'fd00::/8', '10.4.0.0/33']))).toEqual([
      { path: 'spec.allowedCidrs[0]', message: '10.1.0.1/16 has host bits set' },
      { path: 'spec.allowedCidrs[1]', message: '010.2.0.0/16 must be written 10.2.0.0/16' },
      { path: 'spec.allowedCidrs[2]', message: '10.3.0.0 is not an IPv4 CIDR' },
      { path: 'spec.allowedCidrs[3]', message: 'fd00::/8 is not an IPv4 CIDR' },
      { path: 'spec.allowedCidrs[4]', message: '10.4.0.0/33 is not an IPv4 CIDR' },
    ]);
    expect(problems((d) => (d.spec.allowedCidrs = ['0.0.0.0/0']))).toEqual([
      { path: 'spec.allowedCidrs[0]', message: '0.0.0.0/0 is the whole internet: set spec.public for an internet-facing ALB' },
    ]);
    expect(problems((d) => Object.assign(d.spec, { public: true, allowedCidrs: ['0.0.0.0/0'] }))).toEqual([]);
    expect(problems((d) => (d.spec.allowedCidrs = Array.from({ length: 21 }, (_, i) => `10.${i}.0.0/16`))).map((p) => p.path)).toEqual(['spec.allowedCidrs']);
    expect(problems((d) => (d.spec.allowedCidrs = []))).toEqual([{ path: 'spec.allowedCidrs', message: expect.any(String) }]);
    expect(problems((d) => (d.spec.allowedCidrs = ['10.0.0.0/16', '10.0.0.0/16'])).map((p) => p.path)).toEqual(['spec.allowedCidrs']);
  });

  it('is not a kind the API stores', () => {
    expect(() => parseDocument(valid())).toThrow(/kind: must be one of Environment, Target/);
  });
});
