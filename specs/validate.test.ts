import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadDocuments } from './load.ts';
import { parseDocument, parseEnvironment, pointerToPath, ValidationError } from './validate.ts';

const dev = parse(readFileSync(new URL('./examples/dev.yaml', import.meta.url), 'utf8'));

/** The dev example with one change applied by `edit`. */
function variant(edit: (doc: any) => void): unknown {
  const doc = structuredClone(dev);
  edit(doc);
  return doc;
}

function problemsOf(input: unknown) {
  try {
    parseDocument(input);
  } catch (err) {
    if (err instanceof ValidationError) return err.problems;
    throw err;
  }
  return [];
}

describe('Environment validation', () => {
  const cases: [string, (doc: any) => void, string, RegExp][] = [
    ['non-Fargate cpu', (d) => (d.spec.compute.services[1].cpu = 300), 'spec.compute.services[1].cpu', /300 is not a Fargate size/],
    ['memory that does not pair with cpu', (d) => (d.spec.compute.services[0].memory = 512), 'spec.compute.services[0].memory', /does not pair with cpu 512/],
    ['unknown field', (d) => (d.spec.frontend.bogus = 1), 'spec.frontend.bogus', /unknown field/],
    ['unknown top-level field', (d) => (d.extra = true), 'extra', /unknown field/],
    ['bad name', (d) => (d.metadata.name = 'Chat_Dev'), 'metadata.name', /DNS label/],
    ['name too short', (d) => (d.metadata.name = 'ab'), 'metadata.name', /DNS label/],
    ['azCount 4', (d) => (d.spec.network.azCount = 4), 'spec.network.azCount', /4 is not one of 2, 3/],
    ['cidr too wide', (d) => (d.spec.network.cidr = '10.0.0.0/8'), 'spec.network.cidr', /\/16 to \/24/],
    ['cidr with host bits', (d) => (d.spec.network.cidr = '10.0.0.1/16'), 'spec.network.cidr', /host bits/],
    ['desired above autoscaling max', (d) => (d.spec.compute.services[0].desiredCount = 9), 'spec.compute.services[0].desiredCount', /outside autoscaling min 1 .. max 3/],
    ['duplicate service', (d) => (d.spec.compute.services[1].name = 'web'), 'spec.compute.services[1].name', /duplicate service name web/],
    ['duplicate queue', (d) => (d.spec.data.queues[1].name = 'default'), 'spec.data.queues[1].name', /duplicate queue name/],
    ['two default public services', (d) => Object.assign(d.spec.compute.services[1], { public: true, port: 9000 }), 'spec.compute.services[1].paths', /already takes the ALB's default route/],
    ['two public services on one port', (d) => Object.assign(d.spec.compute.services[1], { public: true, paths: ['/api/*'] }), 'spec.compute.services[1].port', /already used by public service web/],
    ['public service without a domain', (d) => delete d.spec.compute.domain, 'spec.compute.domain', /is required with a public service/],
    ['compute without network', (d) => delete d.spec.network, 'spec.compute', /needs spec.network/],
    ['secret value in env', (d) => (d.spec.compute.services[0].env.DB_PASSWORD = 'hunter2'), 'spec.compute.services[0].env.DB_PASSWORD', /looks like a secret/],
    ['secret that is not a name or ARN', (d) => (d.spec.compute.services[0].secrets.X = 'has spaces in it'), 'spec.compute.services[0].secrets.X', /Secrets Manager secret name or ARN/],
    ['extension not allowed', (d) => d.spec.data.postgres.extensions.push('plpython3u'), 'spec.data.postgres.extensions[2]', /is not one of/],
    ['max below min capacity', (d) => (d.spec.data.postgres.maxCapacity = 1, d.spec.data.postgres.minCapacity = 2), 'spec.data.postgres.maxCapacity', /below minCapacity 2/],
    ['drift interval too long', (d) => (d.spec.driftDetection.interval = '45d'), 'spec.driftDetection.interval', /longer than 30d/],
    ['drift interval too short', (d) => (d.spec.driftDetection.interval = '1m'), 'spec.driftDetection.interval', /shorter than 5m/],
    ['idle timeout above the ALB max', (d) => (d.spec.compute.services[0].websocket.idleTimeoutSeconds = 5000), 'spec.compute.services[0].websocket.idleTimeoutSeconds', /4000/],
    ['websocket on a private service', (d) => (d.spec.compute.services[1].websocket = {}), 'spec.compute.services[1].websocket', /needs public: true/],
    ['log retention CloudWatch does not offer', (d) => (d.spec.observability.logRetentionDays = 10), 'spec.observability.logRetentionDays', /10 is not one of 1, 3, 5/],
    ['no NAT for private services', (d) => (d.spec.network.natGateways = 0), 'spec.network.natGateways', /without a route to ECR/],
    ['a service named like the setup task\'s log group', (d) => (d.spec.compute.services[1].name = 'db-setup'), 'spec.compute.services[1].name', /db-setup is reserved/],
    ['a service named like the flow logs\' log group', (d) => (d.spec.compute.services[1].name = 'vpc-flow-logs'), 'spec.compute.services[1].name', /vpc-flow-logs is reserved/],
    ['no NAT for the database setup task', (d) => (d.spec.network.natGateways = 0, delete d.spec.compute), 'spec.network.natGateways', /database setup task .* ECR Public/],
    ['CloudFront certificate outside us-east-1', (d) => (d.spec.frontend.domain = { name: 'app.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc-123' }), 'spec.frontend.domain.certificateArn', /us-east-1/],
    ['wrong apiVersion', (d) => (d.apiVersion = 'v1'), 'apiVersion', /terrace.dev\/v1alpha1/],
    ['a frontend header terrace\'s security headers set', (d) => (d.spec.frontend.headers = { 'x-frame-options': 'SAMEORIGIN' }), 'spec.frontend.headers.x-frame-options', /security headers already set X-Frame-Options: DENY/],
    ['Strict-Transport-Security as a custom header', (d) => (d.spec.frontend.headers = { 'Strict-Transport-Security': 'max-age=1' }), 'spec.frontend.headers.Strict-Transport-Security', /already set/],
    ['Content-Security-Policy as a custom header', (d) => (d.spec.frontend.headers = { 'Content-Security-Policy': "default-src 'self'" }), 'spec.frontend.headers.Content-Security-Policy', /security header of the response headers policy/],
    ['a CORS header as a custom header', (d) => (d.spec.frontend.headers = { 'Access-Control-Allow-Origin': '*' }), 'spec.frontend.headers.Access-Control-Allow-Origin', /CORS header/],
    ['a hop-by-hop header', (d) => (d.spec.frontend.headers = { 'Transfer-Encoding': 'chunked' }), 'spec.frontend.headers.Transfer-Encoding', /hop-by-hop or CloudFront header/],
    ['a CloudFront header', (d) => (d.spec.frontend.headers = { 'X-Edge-Location': 'x' }), 'spec.frontend.headers.X-Edge-Location', /reserved by CloudFront \(X-Edge-\*\)/],
    ['the same header twice by case', (d) => (d.spec.frontend.headers = { 'Cache-Control': 'no-store', 'cache-control': 'no-cache' }), 'spec.frontend.headers.cache-control', /same header as Cache-Control/],
    ['a header name that is not a token', (d) => (d.spec.frontend.headers = { 'X Bad': 'v' }), 'spec.frontend.headers.X Bad', /not a valid key/],
    ['an empty header value', (d) => (d.spec.frontend.headers = { 'X-Empty': '' }), 'spec.frontend.headers.X-Empty', /length/],
    ['a header value with a line break', (d) => (d.spec.frontend.headers = { 'X-Split': 'a\r\nSet-Cookie: x' }), 'spec.frontend.headers.X-Split', /printable ASCII/],
    ['headers over the total length', (d) => (d.spec.frontend.headers = { 'X-A': 'a'.repeat(1000), 'X-B': 'b'.repeat(1000) }), 'spec.frontend.headers', /add up to 2006 characters; CloudFront allows 1783/],
    ['more than 10 headers', (d) => (d.spec.frontend.headers = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`X-H${i}`, 'v']))), 'spec.frontend.headers', /more than 10 properties|10/],
    ['a header value that is not a string', (d) => (d.spec.frontend.headers = { 'X-Number': 1 }), 'spec.frontend.headers.X-Number', /string/],
  ];
  it.each(cases)('rejects %s at its path', (_label, edit, path, message) => {
    const problems = problemsOf(variant(edit));
    const match = problems.find((p) => p.path === path);
    expect(match, JSON.stringify(problems)).toBeDefined();
    expect(match!.message).toMatch(message);
  });

  it('accepts frontend headers CloudFront adds as custom headers', () => {
    expect(problemsOf(variant((d) => (d.spec.frontend.headers = { 'Cache-Control': 'public, max-age=300', 'Permissions-Policy': 'camera=()' })))).toEqual([]);
  });

  it('reports every problem, not only the first', () => {
    const problems = problemsOf(variant((d) => {
      d.spec.compute.services[0].cpu = 300;
      d.spec.compute.services[1].name = 'web';
      d.spec.data.queues[1].name = 'default';
    }));
    expect(problems.map((p) => p.path).sort()).toEqual(['spec.compute.services[0].cpu', 'spec.compute.services[1].name', 'spec.data.queues[1].name']);
  });

  it('reports schema and cross-field problems together', () => {
    const problems = problemsOf(variant((d) => {
      d.spec.network.azCount = 4;
      d.spec.compute.services[1].name = 'web';
    }));
    expect(problems.map((p) => p.path).sort()).toEqual(['spec.compute.services[1].name', 'spec.network.azCount']);
  });

  it('fills defaults: drift detection, approval, websocket timeouts', () => {
    const env = parseEnvironment(variant((d) => {
      delete d.spec.driftDetection;
      d.spec.compute.services[0].websocket = {};
    }));
    expect(env.spec.approval).toBe('auto');
    expect(env.spec.driftDetection).toEqual({ enabled: true, interval: '6h' });
    expect(env.spec.compute?.services[0].websocket).toEqual({ idleTimeoutSeconds: 3600, stickinessSeconds: 86400 });
    // No port is filled in: a worker listens on nothing (a public service without one gets 8000 in the model).
    expect(env.spec.compute?.services[1].port).toBeUndefined();
  });

  it('does not mutate its input', () => {
    const input = variant(() => {});
    const before = JSON.stringify(input);
    parseEnvironment(input);
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe('Target validation', () => {
  const aws = { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'aws-prod' }, spec: { provider: 'aws', accountId: '333333333333', region: 'eu-west-1', roleArn: 'arn:aws:iam::333333333333:role/terrace', stateBucket: 'state-333' } };
  it('accepts an aws target and the local target', () => {
    expect(problemsOf(aws)).toEqual([]);
    expect(problemsOf({ ...aws, metadata: { name: 'local' }, spec: { provider: 'local' } })).toEqual([]);
  });
  it.each([
    ['missing stateBucket', { ...aws.spec, stateBucket: undefined }, 'spec.stateBucket', /required for provider aws/],
    ['role in another account', { ...aws.spec, roleArn: 'arn:aws:iam::444444444444:role/terrace' }, 'spec.roleArn', /account 444444444444, not accountId 333333333333/],
    ['short account id', { ...aws.spec, accountId: '123' }, 'spec.accountId', /12-digit/],
    ['aws fields on local', { provider: 'local', region: 'eu-west-1' }, 'spec.region', /only applies to provider aws/],
    ['unknown provider', { provider: 'gcp' }, 'spec.provider', /not one of aws, local/],
    ['a tag with AWS\'s prefix', { ...aws.spec, tags: { 'AWS:team': 'x' } }, 'spec.tags.AWS:team', /AWS's own tag prefix/],
  ])('rejects %s', (_label, spec, path, message) => {
    const problems = problemsOf({ ...aws, spec: JSON.parse(JSON.stringify(spec)) });
    expect(problems.find((p) => p.path === path)?.message, JSON.stringify(problems)).toMatch(message);
  });
});

describe('loading documents', () => {
  it('loads every example file', () => {
    const docs = loadDocuments(readFileSync(new URL('./examples/staging-prod.yaml', import.meta.url), 'utf8'));
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Target/aws-staging', 'Target/aws-prod', 'Environment/chat-staging', 'Environment/chat-prod']);
  });
  it('loads a JSON array', () => {
    expect(loadDocuments(JSON.stringify([dev, dev]))).toHaveLength(2);
  });
  it('names the document in a multi-document file', () => {
    const text = `${readFileSync(new URL('./examples/dev.yaml', import.meta.url), 'utf8')}\n---\n${JSON.stringify(variant((d) => (d.spec.network.azCount = 5)))}`;
    expect(() => loadDocuments(text, 'envs.yaml')).toThrow(/envs.yaml#2 spec.network.azCount/);
  });
  it('reports YAML syntax errors with the file name', () => {
    expect(() => loadDocuments('kind: [unclosed', 'broken.yaml')).toThrow(/broken.yaml#1/);
  });
  it('converts JSON pointers to dotted paths', () => {
    expect(pointerToPath('/spec/compute/services/1/env/a~1b')).toBe('spec.compute.services[1].env.a/b');
  });
});
