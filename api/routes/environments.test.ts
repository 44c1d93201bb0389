import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ANNOTATIONS } from '../../specs/meta.ts';
import { envBody, startApi, type TestApi } from '../../test/support/api.ts';
import type { DryRunTier } from '../app.ts';

let api: TestApi;
afterEach(async () => api?.close());

const put = (name: string, payload: unknown, headers: Record<string, string> = {}, query = '') =>
  api.call({ method: 'PUT', url: `/v1/environments/${name}${query}`, payload: payload as object, headers });

describe('environments: create, update, read', () => {
  it('PUT creates (201) then updates (200); an identical spec changes nothing', async () => {
    api = await startApi();
    const created = await put('chat-dev', envBody('chat-dev'));
    expect(created.statusCode).toBe(201);
    expect(created.json().metadata).toMatchObject({ name: 'chat-dev', generation: 1, resourceVersion: '1' });
    expect(created.json().spec.driftDetection).toEqual({ enabled: true, interval: '6h' }); // defaults applied
    expect(created.headers.etag).toBe('"1"');

    const same = await put('chat-dev', envBody('chat-dev'));
    expect(same.statusCode).toBe(200);
    expect(same.json().metadata).toMatchObject({ generation: 1, resourceVersion: '1' });

    const changed = await put('chat-dev', envBody('chat-dev', { approval: 'manual' }));
    expect(changed.statusCode).toBe(200);
    expect(changed.json().metadata).toMatchObject({ generation: 2, resourceVersion: '2' });
  });

  it('ignores server-set metadata and status in the body', async () => {
    api = await startApi();
    const body = envBody('chat-dev', {}, { uid: 'forged', generation: 99, resourceVersion: '42', deletionTimestamp: '2020-01-01T00:00:00Z', finalizers: [] });
    const res = await put('chat-dev', { ...body, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    expect(res.statusCode).toBe(201);
    const stored = await api.store.get('Environment', 'chat-dev');
    expect(stored?.metadata).toMatchObject({ generation: 1, resourceVersion: '1', finalizers: ['terrace.dev/teardown'] });
    expect(stored?.metadata.uid).not.toBe('forged');
    expect(stored?.metadata.deletionTimestamp).toBeUndefined();
    expect(stored?.status).toEqual({ conditions: [], tiers: {} });
  });

  it('POST creates (201 with Location) and refuses an existing name (409)', async () => {
    api = await startApi();
    const res = await api.call({ method: 'POST', url: '/v1/environments', payload: envBody('chat-dev') });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/v1/environments/chat-dev');
    const again = await api.call({ method: 'POST', url: '/v1/environments', payload: envBody('chat-dev') });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.json()).toMatchObject({ status: 409, title: 'Conflict', instance: '/v1/environments' });
  });

  it('rejects invalid documents with 422 and every path, unknown fields included (not stripped)', async () => {
    api = await startApi();
    const body = envBody('chat-dev', { bogus: true, network: { cidr: '10.0.0.0/8', extra: 1 }, compute: { services: [{ name: 'web', image: 'x', cpu: 300 }] } });
    const res = await put('chat-dev', body);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['spec.bogus', 'spec.network.extra']));
    expect(res.json().errors.find((e: { path: string }) => e.path === 'spec.bogus').message).toBe('unknown field');
    expect(await api.store.get('Environment', 'chat-dev')).toBeUndefined();

    const rules = await put('chat-dev', envBody('chat-dev', { compute: { services: [{ name: 'web', image: 'x', cpu: 300 }] } }));
    expect(rules.statusCode).toBe(422);
    expect(rules.json().errors).toContainEqual({ path: 'spec.compute.services[0].cpu', message: expect.stringContaining('not a Fargate size') });
  });

  it('answers 422 at metadata.name when the body names another environment, and at spec.target for a missing Target', async () => {
    api = await startApi();
    const mismatch = await put('chat-dev', envBody('chat-prod'));
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().errors).toEqual([{ path: 'metadata.name', message: expect.stringContaining('chat-dev') }]);
    const noTarget = await put('chat-dev', envBody('chat-dev', { target: 'aws-nowhere' }));
    expect(noTarget.statusCode).toBe(422);
    expect(noTarget.json().errors).toEqual([{ path: 'spec.target', message: 'Target aws-nowhere does not exist' }]);
    const viaPost = await api.call({ method: 'POST', url: '/v1/environments', payload: envBody('chat-dev', { target: 'aws-nowhere' }) });
    expect(viaPost.json().errors[0].path).toBe('spec.target');
  });

  it('keeps the target of an existing environment (422: its state lives there)', async () => {
    api = await startApi();
    await put('chat-dev', envBody('chat-dev'));
    await api.call({ method: 'PUT', url: '/v1/targets/other', payload: { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'other' }, spec: { provider: 'local' } } });
    const moved = await put('chat-dev', envBody('chat-dev', { target: 'other' }));
    expect(moved.statusCode).toBe(422);
    expect(moved.json().errors[0].path).toBe('spec.target');
  });

  it('never takes the controller annotations from a body: a write token cannot approve its own plan', async () => {
    api = await startApi();
    const write = await api.as('write');
    const approve = { annotations: { [ANNOTATIONS.approvePlan]: 'network-abc', team: 'rt' } };
    expect((await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', headers: write, payload: envBody('chat-dev', {}, approve) })).statusCode).toBe(201);
    expect((await api.store.get('Environment', 'chat-dev'))?.metadata.annotations).toEqual({ team: 'rt' });
    expect((await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', headers: write, payload: envBody('chat-dev', {}, approve) })).statusCode).toBe(200);
    expect((await api.store.get('Environment', 'chat-dev'))?.metadata.annotations).toEqual({ team: 'rt' });
  });

  it('needs the operate scope to turn manual approval off or to change suspend', async () => {
    api = await startApi();
    await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: envBody('chat-dev', { approval: 'manual' }) });
    const write = await api.as('write');
    const off = await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', headers: write, payload: envBody('chat-dev', { approval: 'auto' }) });
    expect(off.statusCode).toBe(403);
    expect(off.json().detail).toMatch(/operate scope/);
    expect((await api.store.get('Environment', 'chat-dev'))?.spec.approval).toBe('manual');
    for (const dryRun of ['', '?dryRun=true']) {
      const suspend = await api.call({ method: 'PUT', url: `/v1/environments/chat-dev${dryRun}`, headers: write, payload: envBody('chat-dev', { approval: 'manual', suspend: true }) });
      expect(suspend.statusCode).toBe(403);
      expect(suspend.json().detail).toMatch(/spec.suspend .*operate scope/);
    }
    expect((await api.store.get('Environment', 'chat-dev'))?.spec.suspend).toBe(false);
    const same = await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', headers: write, payload: envBody('chat-dev', { approval: 'manual', observability: {} }) });
    expect(same.statusCode).toBe(200);
    const operator = await api.as('write', 'operate');
    expect((await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', headers: operator, payload: envBody('chat-dev', { approval: 'auto', suspend: true }) })).statusCode).toBe(200);
  });

  it('needs the operate scope to stop declaring a tier (that destroys it); If-Match is checked first', async () => {
    api = await startApi();
    await put('chat-dev', envBody('chat-dev', { frontend: {} }));
    const write = await api.as('write');
    const dropped = await put('chat-dev', envBody('chat-dev'), write);
    expect(dropped.statusCode).toBe(403);
    expect(dropped.json().detail).toBe('removing spec.frontend destroys that tier: it needs the operate scope');
    expect(await put('chat-dev', envBody('chat-dev'), write, '?dryRun=true')).toMatchObject({ statusCode: 403 });
    expect((await put('chat-dev', envBody('chat-dev'), { ...write, 'if-match': '"7"' })).statusCode).toBe(412);
    expect((await api.store.get('Environment', 'chat-dev'))?.spec.frontend).toBeDefined();
    expect((await put('chat-dev', envBody('chat-dev', { frontend: {}, observability: {} }), write)).statusCode).toBe(200); // adding is fine
    expect((await put('chat-dev', envBody('chat-dev'), await api.as('write', 'operate'))).statusCode).toBe(200);
  });

  it('answers every JSON write with its content type: create, update, unchanged and dry run', async () => {
    api = await startApi({ dryRun: async () => [] });
    const answers = [
      await put('chat-dev', envBody('chat-dev')),
      await put('chat-dev', envBody('chat-dev')),
      await put('chat-dev', envBody('chat-dev', { approval: 'manual' })),
      await put('chat-dev', envBody('chat-dev'), {}, '?dryRun=true'),
      await api.call({ method: 'PUT', url: '/v1/targets/spare?dryRun=true', payload: { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'spare' }, spec: { provider: 'local' } } }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([201, 200, 200, 200, 200]);
    for (const answer of answers) expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answers[3].json()).toEqual({ tiers: [], allowed: true });
  });

  it('never echoes a secret value pasted into spec...secrets, in the answer or the log', async () => {
    let logged = '';
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => ((logged += String(chunk)), done()) }));
    api = await startApi({ logger });
    const leaked = 'sk_live_51Hpasted secret value';
    for (const query of ['', '?dryRun=true']) {
      const res = await put('chat-dev', envBody('chat-dev', { compute: { services: [{ name: 'web', image: 'app:1', secrets: { STRIPE_KEY: leaked } }] } }), {}, query);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual([{ path: 'spec.compute.services[0].secrets.STRIPE_KEY', message: expect.stringMatching(/Secrets Manager secret name or ARN.*not shown/) }]);
      expect(res.body).not.toContain('sk_live');
    }
    expect(logged).toContain('spec.compute.services[0].secrets.STRIPE_KEY');
    expect(logged).not.toContain('sk_live');
  });

  it('GET returns spec, status and an ETag; 404 is a problem', async () => {
    api = await startApi();
    await put('chat-dev', envBody('chat-dev'));
    const res = await api.call({ method: 'GET', url: '/v1/environments/chat-dev' });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({ kind: 'Environment', spec: { target: 'local' }, status: { conditions: [], tiers: {} } });
    const missing = await api.call({ method: 'GET', url: '/v1/environments/nope-env' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'Environment nope-env not found' });
  });

  it('400 for a malformed name or query', async () => {
    api = await startApi();
    const badName = await api.call({ method: 'GET', url: '/v1/environments/Not_A_Name' });
    expect(badName.statusCode).toBe(400);
    expect(badName.json().errors[0].path).toBe('params.name');
    const badQuery = await api.call({ method: 'GET', url: '/v1/environments?limit=0&colour=blue' });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['querystring.colour', 'querystring.limit']);
    const badSelector = await api.call({ method: 'GET', url: '/v1/environments?labelSelector=a%3D%3D%3Db' });
    expect(badSelector.statusCode).toBe(400);
    expect(badSelector.json().errors[0].path).toBe('querystring.labelSelector');
  });
});

describe('environments: preconditions and deletion', () => {
  it('If-Match: a stale resourceVersion is 412 (bare or quoted); the current one writes', async () => {
    api = await startApi();
    await put('chat-dev', envBody('chat-dev'));
    await put('chat-dev', envBody('chat-dev', { approval: 'manual' })); // rv 2
    for (const stale of ['1', '"1"']) {
      const res = await put('chat-dev', envBody('chat-dev', { suspend: true }), { 'if-match': stale });
      expect(res.statusCode).toBe(412);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await api.store.get('Environment', 'chat-dev'))?.spec.suspend).toBe(false);
    const ok = await put('chat-dev', envBody('chat-dev', { suspend: true }), { 'if-match': '"2"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().metadata.resourceVersion).toBe('3');
    const absent = await put('chat-new', envBody('chat-new'), { 'if-match': '"1"' });
    expect(absent.statusCode).toBe(412);
  });

  it('DELETE marks deletionTimestamp (202), honours If-Match, and refuses later updates (409)', async () => {
    api = await startApi();
    await put('chat-dev', envBody('chat-dev'));
    const stale = await api.call({ method: 'DELETE', url: '/v1/environments/chat-dev', headers: { 'if-match': '"7"' } });
    expect(stale.statusCode).toBe(412);
    const res = await api.call({ method: 'DELETE', url: '/v1/environments/chat-dev', headers: { 'if-match': '"1"' } });
    expect(res.statusCode).toBe(202);
    expect(res.json().metadata.deletionTimestamp).toEqual(expect.any(String));
    expect(await api.store.get('Environment', 'chat-dev')).toBeDefined(); // the controller removes it
    const update = await put('chat-dev', envBody('chat-dev', { suspend: true }));
    expect(update.statusCode).toBe(409);
    expect(update.json().detail).toMatch(/being deleted/);
    expect((await api.call({ method: 'DELETE', url: '/v1/environments/chat-dev' })).statusCode).toBe(202); // idempotent
    expect((await api.call({ method: 'DELETE', url: '/v1/environments/nope-env' })).statusCode).toBe(404);
  });
});

describe('environments: lists, status, events', () => {
  it('paginates with limit/continue and filters with labelSelector', async () => {
    api = await startApi();
    for (const [name, stage] of [['chat-dev', 'dev'], ['chat-prod', 'prod'], ['shop-prod', 'prod']]) {
      await put(name, envBody(name, {}, { labels: { app: name.split('-')[0], stage } }));
    }
    const first = await api.call({ method: 'GET', url: '/v1/environments?limit=2' });
    expect(first.json().items.map((e: { metadata: { name: string } }) => e.metadata.name)).toEqual(['chat-dev', 'chat-prod']);
    const second = await api.call({ method: 'GET', url: `/v1/environments?limit=2&continue=${first.json().continue}` });
    expect(second.json().items.map((e: { metadata: { name: string } }) => e.metadata.name)).toEqual(['shop-prod']);
    expect(second.json().continue).toBeUndefined();
    const selected = await api.call({ method: 'GET', url: '/v1/environments?labelSelector=app%3Dchat,stage%3Dprod' });
    expect(selected.json().items.map((e: { metadata: { name: string } }) => e.metadata.name)).toEqual(['chat-prod']);
  });

  it('GET /status returns generations, conditions and tiers', async () => {
    api = await startApi();
    await put('chat-dev', envBody('chat-dev'));
    const condition = { type: 'Ready', status: 'True' as const, reason: 'Succeeded', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00.000Z', observedGeneration: 1 };
    await api.store.updateStatus('chat-dev', { observedGeneration: 1, conditions: [condition], tiers: { network: { conditions: [condition], outputs: { vpcId: 'vpc-1' } } } });
    const res = await api.call({ method: 'GET', url: '/v1/environments/chat-dev/status' });
    expect(res.json()).toEqual({ observedGeneration: 1, generation: 1, conditions: [condition], tiers: { network: { conditions: [condition], outputs: { vpcId: 'vpc-1' } } } });
  });

  it('GET /events lists newest first, paginated; 404 for an unknown environment', async () => {
    api = await startApi();
    await put('chat-dev', envBody('chat-dev'));
    for (let i = 1; i <= 3; i++) {
      await api.store.appendEvent('chat-dev', { time: `2026-01-01T00:00:0${i}.000Z`, tier: 'network', action: 'apply', outcome: 'Succeeded', durationMs: i });
    }
    const page = await api.call({ method: 'GET', url: '/v1/environments/chat-dev/events?limit=2' });
    expect(page.json().items.map((e: { durationMs: number }) => e.durationMs)).toEqual([3, 2]);
    const rest = await api.call({ method: 'GET', url: `/v1/environments/chat-dev/events?limit=2&continue=${page.json().continue}` });
    expect(rest.json().items.map((e: { durationMs: number }) => e.durationMs)).toEqual([1]);
    expect((await api.call({ method: 'GET', url: '/v1/environments/nope-env/events' })).statusCode).toBe(404);
  });
});

describe('environments: dry run', () => {
  const violation = { rule: 'no-public-bucket', address: 'aws_s3_bucket.site', message: 'public buckets are not allowed' };
  const dryRun = async (): Promise<DryRunTier[]> => [
    { tier: 'network', resources: 12, outputs: ['vpcId'], violations: [] },
    { tier: 'frontend', resources: 4, outputs: [], violations: [violation] },
  ];

  it('validates and runs the guardrails, storing nothing (PUT and POST)', async () => {
    const seen: string[] = [];
    api = await startApi({ dryRun: async (env, target) => (seen.push(`${env.metadata.name}@${target.metadata.name}`), dryRun()) });
    await put('chat-dev', envBody('chat-dev'));
    const before = await api.store.list('Environment');

    const update = await put('chat-dev', envBody('chat-dev', { approval: 'manual' }), {}, '?dryRun=true');
    expect(update.statusCode).toBe(200);
    expect(update.json()).toEqual({ tiers: await dryRun(), allowed: false });
    const create = await api.call({ method: 'POST', url: '/v1/environments?dryRun=true', payload: envBody('chat-new') });
    expect(create.statusCode).toBe(200);
    expect(create.json().allowed).toBe(false);

    expect(await api.store.list('Environment')).toEqual(before);
    expect(seen).toEqual(['chat-dev@local', 'chat-new@local']);
  });

  it('is allowed when no tier has a violation, and still rejects invalid documents first', async () => {
    api = await startApi({ dryRun: async () => [{ tier: 'network', resources: 12, outputs: [], violations: [] }] });
    expect((await put('chat-dev', envBody('chat-dev'), {}, '?dryRun=true')).json()).toMatchObject({ allowed: true });
    expect((await put('chat-dev', envBody('chat-dev', { nope: 1 }), {}, '?dryRun=true')).statusCode).toBe(422);
    expect(await api.store.get('Environment', 'chat-dev')).toBeUndefined();
  });

  it('is 501 without a synthesizer wired', async () => {
    api = await startApi();
    const res = await put('chat-dev', envBody('chat-dev'), {}, '?dryRun=true');
    expect(res.statusCode).toBe(501);
    expect(res.json()).toMatchObject({ status: 501, title: 'Not Implemented' });
    expect(await api.store.get('Environment', 'chat-dev')).toBeUndefined();
  });
});
