import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ANNOTATIONS } from '../specs/meta.ts';
import { startApi, type TestApi } from './support/api.ts';

// Thousands of mutated documents (wrong types at every path, odd keys, deep nesting, huge values) against the
// API on a real embedded store. Every answer is a 2xx, or a 4xx problem naming what is wrong; whatever is
// stored equals what was sent, except for the defaults of fields that were absent.

const dev = parse(readFileSync(new URL('../specs/examples/dev.yaml', import.meta.url), 'utf8'));
const awsTarget = {
  apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'aws-spare', labels: { team: 'rt' } },
  spec: { provider: 'aws', accountId: '333333333333', region: 'eu-west-1', roleArn: 'arn:aws:iam::333333333333:role/terrace', externalId: 'ext-1', stateBucket: 'state-333', tags: { team: 'rt' } },
};

type Path = (string | number)[];

/** Every path in a JSON value, containers included. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [at];
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [at, ...children.flatMap(([k, v]) => pathsOf(v, [...at, k]))];
}

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};
const ODD_KEYS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', '', 'a'.repeat(300), 'x.y', '$ref'];

const hostileValue = (original: unknown) =>
  fc.oneof(
    fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
    fc.constant(String(original)), // a number given as a string, and the like
    fc.constant(Number(original)),
    // Copies: the base document's own objects put into a run's document would be changed by that run's next mutation.
    fc.constant(structuredClone(typeof original === 'object' && original !== null ? (Array.isArray(original) ? { ...original } : Object.values(original)) : [original])),
    fc.array(fc.jsonValue(), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...ODD_KEYS), fc.string(), { maxKeys: 3 }),
    fc.constant(nested(200)), fc.constant('x'.repeat(300_000)),
  );

type Mutation = { path: Path; op: 'replace' | 'delete' | 'add'; key: string; value: unknown };

function mutation(doc: unknown): fc.Arbitrary<Mutation> {
  const paths = pathsOf(doc);
  return fc.constantFrom(...paths).chain((path) =>
    fc.record({
      path: fc.constant(path),
      op: fc.constantFrom('replace', 'delete', 'add'),
      key: fc.constantFrom(...ODD_KEYS, 'extra'),
      value: hostileValue(get(doc, path)),
    }) as fc.Arbitrary<Mutation>,
  );
}

function get(doc: unknown, path: Path): unknown {
  return path.reduce<any>((v, k) => (v === null || typeof v !== 'object' ? undefined : v[k]), doc);
}

function apply(doc: unknown, m: Mutation): void {
  if (m.path.length === 0) return;
  const parent: any = get(doc, m.path.slice(0, -1));
  const key = m.path.at(-1)!;
  if (typeof parent !== 'object' || parent === null) return;
  if (m.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (m.op === 'replace' && Array.isArray(parent)) {
    parent[key as number] = m.value;
  } else {
    const target = m.op === 'add' ? parent[key] : parent;
    if (typeof target !== 'object' || target === null || Array.isArray(target)) return;
    // defineProperty: an own `__proto__` key, as JSON.parse would make it.
    Object.defineProperty(target, m.op === 'add' ? m.key : key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
}

/** `sent` is contained in `stored`: every given value is kept as given; only absent fields may be added. */
function containedIn(sent: unknown, stored: unknown, path = ''): string | undefined {
  if (typeof sent !== 'object' || sent === null) return Object.is(sent, stored) ? undefined : `${path}: sent ${JSON.stringify(sent)?.slice(0, 60)}, stored ${JSON.stringify(stored)?.slice(0, 60)}`;
  if (typeof stored !== 'object' || stored === null || Array.isArray(sent) !== Array.isArray(stored)) return `${path}: sent a ${Array.isArray(sent) ? 'list' : 'map'}, stored ${JSON.stringify(stored)?.slice(0, 60)}`;
  if (Array.isArray(sent) && sent.length !== (stored as unknown[]).length) return `${path}: ${sent.length} items sent, ${(stored as unknown[]).length} stored`;
  for (const [key, value] of Object.entries(sent)) {
    if (!Object.hasOwn(stored, key)) return `${path}.${key}: sent, not stored`;
    const problem = containedIn(value, (stored as Record<string, unknown>)[key], `${path}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ rateLimit: { max: 1_000_000, timeWindowMs: 60_000 } });
});
afterAll(async () => api?.close());

/** PUTs the document and checks the answer and what was stored; returns whether it was accepted. */
async function send(url: string, doc: unknown, readBack: () => Promise<any>): Promise<boolean> {
  const body = JSON.stringify(doc);
  const res = await api.call({ method: 'PUT', url, payload: body, headers: { ...api.admin, 'content-type': 'application/json' } });
  expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem.status).toBe(res.statusCode);
    if (res.statusCode === 422) expect(problem.errors.length, problem.detail).toBeGreaterThan(0);
    expect(typeof problem.detail).toBe('string');
    return false;
  }
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  const stored = await readBack();
  const sent = JSON.parse(body) as { metadata: { labels?: object; annotations?: Record<string, string> }; spec: object };
  expect(containedIn(sent.spec, stored.spec, 'spec')).toBeUndefined();
  expect(stored.metadata.labels ?? {}).toEqual(sent.metadata.labels ?? {});
  const clientAnnotations = Object.fromEntries(Object.entries(sent.metadata.annotations ?? {}).filter(([k]) => !(Object.values(ANNOTATIONS) as string[]).includes(k)));
  expect(Object.fromEntries(Object.entries(stored.metadata.annotations ?? {}).filter(([k]) => !(Object.values(ANNOTATIONS) as string[]).includes(k)))).toEqual(clientAnnotations);
  return true;
}

/**
 * Runs `runs` mutated copies of `base` through send(); both outcomes must be common, or the generator is off.
 * Each mutation updates `base` as stored: an accepted one is undone first, so one run's outcome never depends on
 * what an earlier run left (a left-over document made whole runs of later mutations fail).
 */
async function fuzz(base: unknown, runs: number, url: string, readBack: () => Promise<unknown>) {
  const outcomes = { accepted: 0, rejected: 0 };
  let changed = true;
  await fc.assert(
    fc.asyncProperty(fc.array(mutation(base), { minLength: 1, maxLength: 3 }), async (mutations) => {
      if (changed) expect(await send(url, base, readBack), 'the unmutated document is accepted').toBe(true);
      const doc = structuredClone(base);
      for (const m of mutations) apply(doc, m);
      changed = await send(url, doc, readBack);
      outcomes[changed ? 'accepted' : 'rejected']++;
    }),
    { numRuns: runs },
  );
  expect(outcomes.accepted).toBeGreaterThan(runs / 10);
  expect(outcomes.rejected).toBeGreaterThan(runs / 10);
}

describe('hostile and clumsy documents', () => {
  it('Environments: no 5xx, problems name the field, and nothing given is replaced', async () => {
    await fuzz(dev, 1500, '/v1/environments/chat-dev', () => api.store.get('Environment', 'chat-dev'));
  }, 120_000);

  it('Targets: the same', async () => {
    await fuzz(awsTarget, 500, '/v1/targets/aws-spare', () => api.store.get('Target', 'aws-spare'));
  }, 60_000);
});
