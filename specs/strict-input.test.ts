import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LIMITS } from './limits.ts';
import { parseDocument, parseEnvironment, ValidationError, type Problem } from './validate.ts';

// Defaults fill only what is absent: a value given with the wrong type is an error at its path, never
// replaced (that is how `queues: {name: orders}` became `queues: []` and destroyed the queues).

const dev = parse(readFileSync(new URL('./examples/dev.yaml', import.meta.url), 'utf8'));
const variant = (edit: (doc: any) => void): any => {
  const doc = structuredClone(dev);
  edit(doc);
  return doc;
};
function problemsOf(input: unknown): Problem[] {
  try {
    parseDocument(input);
    return [];
  } catch (err) {
    if (err instanceof ValidationError) return err.problems;
    throw err;
  }
}

describe('wrongly typed values are rejected, never defaulted', () => {
  it.each([
    ['queues as an object', (d: any) => (d.spec.data.queues = { name: 'orders' }), 'spec.data.queues', /expected array/],
    ['extensions as an object', (d: any) => (d.spec.data.postgres.extensions = { vector: true }), 'spec.data.postgres.extensions', /expected array/],
    ['env as a list', (d: any) => (d.spec.compute.services[0].env = ['DEBUG=1']), 'spec.compute.services[0].env', /expected object/],
    ['secrets as a list', (d: any) => (d.spec.compute.services[0].secrets = ['DJANGO_SECRET_KEY']), 'spec.compute.services[0].secrets', /expected object/],
    ['a number given as a string', (d: any) => (d.spec.compute.services[0].cpu = '512'), 'spec.compute.services[0].cpu', /expected integer/],
    ['a boolean given as a string', (d: any) => (d.spec.suspend = 'false'), 'spec.suspend', /expected boolean/],
    ['null for a defaulted field', (d: any) => (d.spec.data.queues = null), 'spec.data.queues', /expected array/],
    ['driftDetection as a string', (d: any) => (d.spec.driftDetection = 'on'), 'spec.driftDetection', /expected object/],
    ['labels as a list', (d: any) => (d.metadata.labels = ['app=chat']), 'metadata.labels', /expected object/],
    ['postgres readers as a string', (d: any) => (d.spec.data.postgres.readers = '1'), 'spec.data.postgres.readers', /expected integer/],
    ['a maxmemoryPolicy Redis does not have', (d: any) => (d.spec.data.redis.maxmemoryPolicy = 'allkeys-fifo'), 'spec.data.redis.maxmemoryPolicy', /allkeys-lru/],
    ['a maxmemoryPolicy as a list', (d: any) => (d.spec.data.redis.maxmemoryPolicy = ['allkeys-lru']), 'spec.data.redis.maxmemoryPolicy', /./],
    ['more postgres readers than Aurora allows', (d: any) => (d.spec.data.postgres.readers = 16), 'spec.data.postgres.readers', /15/],
  ])('%s', (_label, edit, path, message) => {
    const problems = problemsOf(variant(edit));
    expect(problems.find((p) => p.path === path)?.message, JSON.stringify(problems)).toMatch(message);
  });

  it('fills defaults of absent fields only, and keeps every given value', () => {
    const env = parseEnvironment(variant((d) => {
      d.spec.data.queues = [{ name: 'orders', fifo: true }];
      delete d.spec.compute.services[0].env;
    }));
    expect(env.spec.data?.queues).toEqual([{ name: 'orders', fifo: true, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }]);
    expect(env.spec.compute?.services[0].env).toEqual({});
  });
});

describe('generatedSecrets', () => {
  const svc = 'spec.compute.services[0]';
  it.each([
    ['as a string', (d: any) => (d.spec.compute.services[0].generatedSecrets = 'SESSION_KEY'), svc + '.generatedSecrets', /expected array/],
    ['as a map', (d: any) => (d.spec.compute.services[0].generatedSecrets = { SESSION_KEY: true }), svc + '.generatedSecrets', /expected array/],
    ['with null', (d: any) => (d.spec.compute.services[0].generatedSecrets = null), svc + '.generatedSecrets', /expected array/],
    ['with a number', (d: any) => (d.spec.compute.services[0].generatedSecrets = ['A', 7]), svc + '.generatedSecrets[1]', /expected string/],
    ['with a name ECS does not take', (d: any) => (d.spec.compute.services[0].generatedSecrets = ['SESSION-KEY']), svc + '.generatedSecrets[0]', /expected string to match/],
    ['with a duplicate', (d: any) => (d.spec.compute.services[0].generatedSecrets = ['A', 'B', 'A']), svc + '.generatedSecrets[2]', /duplicate generated secret A/],
    ['also in env', (d: any) => { d.spec.compute.services[0].env = { MODE: 'x' }; d.spec.compute.services[0].generatedSecrets = ['B', 'MODE']; }, svc + '.generatedSecrets[1]', /MODE is also in env/],
    ['also in secrets', (d: any) => { d.spec.compute.services[0].secrets = { KEY: 'chat/dev/key' }; d.spec.compute.services[0].generatedSecrets = ['KEY']; }, svc + '.generatedSecrets[0]', /KEY is also in secrets/],
    ['over the secrets limit', (d: any) => (d.spec.compute.services[0].generatedSecrets = Array.from({ length: LIMITS.secretEntries + 1 }, (_, i) => `K${i}`)), svc + '.generatedSecrets', new RegExp(String(LIMITS.secretEntries))],
  ])('rejects generatedSecrets %s at its path', (_label, edit, path, message) => {
    const problems = problemsOf(variant(edit));
    expect(problems.find((p) => p.path === path)?.message, JSON.stringify(problems)).toMatch(message);
  });

  it('is absent by default and kept as given', () => {
    expect(parseEnvironment(variant(() => {})).spec.compute!.services[0].generatedSecrets).toBeUndefined();
    expect(parseEnvironment(variant((d) => (d.spec.compute.services[0].generatedSecrets = ['SESSION_KEY']))).spec.compute!.services[0].generatedSecrets).toEqual(['SESSION_KEY']);
    expect(problemsOf(variant((d) => (d.spec.compute.services[0].generatedSecrets = [])))).toEqual([]);
  });
});

describe('odd keys and shapes', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])('accepts %s as a label, annotation and env key', (key) => {
    const env = parseEnvironment(variant((d) => {
      d.metadata.labels = { [key]: 'x' };
      d.metadata.annotations = { [key]: 'x' };
      d.spec.compute.services[0].env = { [key]: 'x' };
    }));
    expect(Object.hasOwn(env.spec.compute!.services[0].env, key)).toBe(true);
    expect(env.metadata.labels).toEqual({ [key]: 'x' });
  });

  it('does not call an env key "also in secrets" because of Object.prototype', () => {
    const problems = problemsOf(variant((d) => (d.spec.compute.services[0].env = { toString: 'x', constructor: 'y' })));
    expect(problems).toEqual([]);
  });

  it('rejects __proto__ as a key, naming its path', () => {
    const input = variant(() => {});
    input.spec.compute.services[0].env = JSON.parse('{"__proto__": {"polluted": "yes"}}');
    expect(problemsOf(input)).toEqual([{ path: 'spec.compute.services[0].env.__proto__', message: '__proto__ is not allowed as a key' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects deep nesting with a clear problem instead of overflowing the stack', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const problems = problemsOf(variant((d) => (d.spec.frontend.extra = deep)));
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toBe(`is nested deeper than ${LIMITS.depth} levels`);
    expect(problems[0].path).toMatch(/^spec\.frontend\.extra(\.a)+$/);
  });

  it('limits label, annotation and tag counts, and the stored size', () => {
    const many = (n: number, value = 'x') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));
    expect(problemsOf(variant((d) => (d.metadata.labels = many(LIMITS.labels + 1)))).map((p) => p.path)).toEqual(['metadata.labels']);
    expect(problemsOf(variant((d) => (d.metadata.annotations = many(LIMITS.annotations + 1)))).map((p) => p.path)).toEqual(['metadata.annotations']);
    const withServer = { ...many(LIMITS.annotations), 'terrace.dev/approve-plan': 'p1', 'terrace.dev/reconcile-requested-at': '2026-01-01T00:00:00Z' };
    expect(problemsOf(variant((d) => (d.metadata.annotations = withServer)))).toEqual([]); // the server's own do not count
    // 64 annotations of 4 KiB: each field is within bounds, the whole document is too large to store.
    const big = problemsOf(variant((d) => (d.metadata.annotations = many(LIMITS.annotations, 'a'.repeat(4096)))));
    expect(big).toEqual([{ path: '', message: expect.stringMatching(/the document is 2\d\d KiB; at most 256 KiB can be stored/) }]);
    const target = { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'local-2' }, spec: { provider: 'local', tags: many(LIMITS.targetTags + 1) } };
    expect(problemsOf(target).map((p) => p.path)).toEqual(['spec.tags']);
  });
});

describe('messages that say what is wrong', () => {
  it('reports autoscaling min above max as the pair', () => {
    const problems = problemsOf(variant((d) => (d.spec.compute.services[0].autoscaling = { min: 5, max: 2 })));
    expect(problems).toContainEqual({ path: 'spec.compute.services[0].autoscaling.min', message: '5 is above autoscaling.max 2' });
    expect(problems.some((p) => p.path.endsWith('desiredCount'))).toBe(false);
  });

  it.each(['010.000.000.000/16', '10.00.0.0/16'])('refuses the CIDR spelling %s', (cidr) => {
    const problems = problemsOf(variant((d) => (d.spec.network.cidr = cidr)));
    expect(problems.find((p) => p.path === 'spec.network.cidr')?.message).toMatch(/must be written 10\.0\.0\.0\/16/);
  });

  it('never repeats a value given under secrets', () => {
    const value = 'sk_live_51Habc DEF ghi';
    const problems = problemsOf(variant((d) => (d.spec.compute.services[0].secrets = { STRIPE_KEY: value, OTHER: 42 })));
    expect(problems.map((p) => p.path).sort()).toEqual(['spec.compute.services[0].secrets.OTHER', 'spec.compute.services[0].secrets.STRIPE_KEY']);
    expect(JSON.stringify(problems)).not.toContain('sk_live');
    expect(JSON.stringify(problems)).not.toContain('42');
    expect(new ValidationError(problems).message).not.toContain('sk_live');
  });

  it('never repeats a wrongly typed value of an env var named like a secret', () => {
    const problems = problemsOf(variant((d) => (d.spec.compute.services[0].env = { DB_PASSWORD: 86427531, DEBUG: 1 })));
    expect(problems.find((p) => p.path.endsWith('DB_PASSWORD'))?.message).toMatch(/not shown/);
    expect(JSON.stringify(problems)).not.toContain('86427531');
    expect(problems.find((p) => p.path.endsWith('DEBUG'))?.message).toMatch(/got 1/);
  });
});
