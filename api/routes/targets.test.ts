import { afterEach, describe, expect, it } from 'vitest';
import { envBody, startApi, type TestApi } from '../../test/support/api.ts';

let api: TestApi;
afterEach(async () => api?.close());

const awsTarget = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name },
  spec: { provider: 'aws', accountId: '333333333333', region: 'eu-west-1', roleArn: 'arn:aws:iam::333333333333:role/terrace', stateBucket: 'state-333', ...spec },
});

describe('targets', () => {
  it('PUT creates (201), updates (200), GET reads with an ETag, list includes local', async () => {
    api = await startApi();
    const created = await api.call({ method: 'PUT', url: '/v1/targets/aws-prod', payload: awsTarget('aws-prod') });
    expect(created.statusCode).toBe(201);
    expect(created.json().metadata).toMatchObject({ name: 'aws-prod', generation: 1, resourceVersion: '1' });
    const updated = await api.call({ method: 'PUT', url: '/v1/targets/aws-prod', payload: awsTarget('aws-prod', { tags: { team: 'rt' } }) });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().metadata.generation).toBe(2);
    const read = await api.call({ method: 'GET', url: '/v1/targets/aws-prod' });
    expect(read.headers.etag).toBe('"2"');
    expect(read.json().spec.tags).toEqual({ team: 'rt' });
    const list = await api.call({ method: 'GET', url: '/v1/targets' });
    expect(list.json().items.map((t: { metadata: { name: string } }) => t.metadata.name)).toEqual(['aws-prod', 'local']);
    expect((await api.call({ method: 'GET', url: '/v1/targets/nope-target' })).statusCode).toBe(404);
  });

  it('validates like the CLI: cross-field rules and unknown fields with their paths (422)', async () => {
    api = await startApi();
    const res = await api.call({ method: 'PUT', url: '/v1/targets/aws-prod', payload: awsTarget('aws-prod', { roleArn: 'arn:aws:iam::444444444444:role/x', colour: 'red' }) });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: 'spec.colour', message: 'unknown field' },
      { path: 'spec.roleArn', message: 'is in account 444444444444, not accountId 333333333333' },
    ]);
    const rules = await api.call({ method: 'PUT', url: '/v1/targets/aws-prod', payload: awsTarget('aws-prod', { roleArn: 'arn:aws:iam::444444444444:role/x' }) });
    expect(rules.json().errors).toEqual([{ path: 'spec.roleArn', message: 'is in account 444444444444, not accountId 333333333333' }]);
    const name = await api.call({ method: 'PUT', url: '/v1/targets/aws-prod', payload: awsTarget('aws-dev') });
    expect(name.json().errors[0].path).toBe('metadata.name');
  });

  it('dry-runs a Target: validated and defaulted, nothing stored', async () => {
    api = await startApi();
    const res = await api.call({ method: 'PUT', url: '/v1/targets/aws-prod?dryRun=true', payload: awsTarget('aws-prod') });
    expect(res.statusCode).toBe(200);
    expect(res.json().spec.accountId).toBe('333333333333');
    expect((await api.call({ method: 'GET', url: '/v1/targets/aws-prod' })).statusCode).toBe(404);
    const bad = await api.call({ method: 'PUT', url: '/v1/targets/aws-prod?dryRun=true', payload: awsTarget('aws-prod', { roleArn: 'arn:aws:iam::444444444444:role/x' }) });
    expect(bad.statusCode).toBe(422);
  });

  it('DELETE refuses while an environment uses the target (409), the local one too, then removes it', async () => {
    api = await startApi();
    await api.call({ method: 'PUT', url: '/v1/targets/aws-prod', payload: awsTarget('aws-prod') });
    await api.call({ method: 'PUT', url: '/v1/targets/spare', payload: { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'spare' }, spec: { provider: 'local' } } });
    await api.call({ method: 'PUT', url: '/v1/environments/chat-prod', payload: envBody('chat-prod', { target: 'aws-prod' }) });
    await api.call({ method: 'PUT', url: '/v1/environments/chat-dev', payload: envBody('chat-dev') });

    const used = await api.call({ method: 'DELETE', url: '/v1/targets/aws-prod' });
    expect(used.statusCode).toBe(409);
    expect(used.json().detail).toContain('chat-prod');
    expect((await api.call({ method: 'DELETE', url: '/v1/targets/local' })).statusCode).toBe(409);

    const removed = await api.call({ method: 'DELETE', url: '/v1/targets/spare' });
    expect(removed.statusCode).toBe(200);
    expect(await api.store.get('Target', 'spare')).toBeUndefined();
    expect((await api.call({ method: 'DELETE', url: '/v1/targets/spare' })).statusCode).toBe(404);
  });

  it('keeps the built-in local Target as it is: an identical PUT is fine, a change or a delete is 409', async () => {
    api = await startApi();
    const local = { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'local' }, spec: { provider: 'local' } };
    expect((await api.call({ method: 'PUT', url: '/v1/targets/local', payload: local })).statusCode).toBe(200);
    for (const changed of [{ ...local, spec: { provider: 'local', tags: { team: 'x' } } }, { ...local, metadata: { name: 'local', labels: { a: 'b' } } }, { ...local, spec: awsTarget('local').spec }]) {
      for (const query of ['', '?dryRun=true']) {
        const res = await api.call({ method: 'PUT', url: `/v1/targets/local${query}`, payload: changed });
        expect(res.statusCode, query).toBe(409);
        expect(res.json().detail).toBe('Target local is built in and cannot be changed');
      }
    }
    expect((await api.store.get('Target', 'local'))?.spec).toEqual({ provider: 'local' });
  });

  it('lets nobody claim the name local where no store registered it (an external table)', async () => {
    api = await startApi();
    await api.store.remove('Target', 'local');
    const write = await api.as('write');
    const claimed = await api.call({ method: 'PUT', url: '/v1/targets/local', headers: write, payload: awsTarget('local') });
    expect(claimed.statusCode).toBe(409);
    expect(claimed.json().detail).toBe('Target local is built in and cannot be changed');
    expect(await api.store.get('Target', 'local')).toBeUndefined();
    const builtIn = await api.call({ method: 'PUT', url: '/v1/targets/local', headers: write, payload: { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'local' }, spec: { provider: 'local' } } });
    expect(builtIn.statusCode).toBe(201);
  });

  it('refuses to move a Target in use to another account, region, bucket or provider (409 naming the environments)', async () => {
    api = await startApi();
    await api.call({ method: 'PUT', url: '/v1/targets/aws-prod', payload: awsTarget('aws-prod') });
    await api.call({ method: 'PUT', url: '/v1/environments/chat-prod', payload: envBody('chat-prod', { target: 'aws-prod' }) });
    const moves: Record<string, unknown>[] = [
      { accountId: '444444444444', roleArn: 'arn:aws:iam::444444444444:role/terrace' },
      { region: 'us-east-1' },
      { stateBucket: 'state-elsewhere' },
    ];
    for (const move of moves) {
      const res = await api.call({ method: 'PUT', url: '/v1/targets/aws-prod', payload: awsTarget('aws-prod', move) });
      expect(res.statusCode).toBe(409);
      expect(res.json().detail).toMatch(new RegExp(`cannot change spec\\.${Object.keys(move)[0]} of Target aws-prod: chat-prod keep`));
    }
    // A new role or tags strand nothing.
    const role = await api.call({ method: 'PUT', url: '/v1/targets/aws-prod', payload: awsTarget('aws-prod', { roleArn: 'arn:aws:iam::333333333333:role/terrace-v2', tags: { team: 'rt' } }) });
    expect(role.statusCode).toBe(200);
    // Unused, it may move.
    await api.call({ method: 'DELETE', url: '/v1/environments/chat-prod' });
    await api.store.remove('Environment', 'chat-prod');
    expect((await api.call({ method: 'PUT', url: '/v1/targets/aws-prod', payload: awsTarget('aws-prod', { region: 'us-east-1' }) })).statusCode).toBe(200);
  });

  it('lets only operate lift the preview guardrail of a Target: allowing previews or raising the cap', async () => {
    api = await startApi();
    const put = (spec: Record<string, unknown>, headers: Record<string, string>) =>
      api.call({ method: 'PUT', url: '/v1/targets/aws-prod', payload: awsTarget('aws-prod', spec), headers });
    const write = await api.as('write');
    expect((await put({ previews: { allowed: false, max: 2 } }, write)).statusCode).toBe(201);
    const allow = await put({ previews: { allowed: true, max: 2 } }, write);
    expect(allow.statusCode).toBe(403);
    expect(allow.json().detail).toMatch(/operate scope/);
    expect((await put({ previews: { allowed: false, max: 5 } }, write)).statusCode).toBe(403);
    // Tightening needs no more than write; lifting it with operate works.
    expect((await put({ previews: { allowed: false, max: 1 } }, write)).statusCode).toBe(200);
    expect((await put({ previews: { allowed: true, max: 3 } }, await api.as('write', 'operate'))).statusCode).toBe(200);
    expect((await api.store.get('Target', 'aws-prod'))?.spec.previews).toEqual({ allowed: true, max: 3 });
  });

  it('If-Match on PUT: stale is 412', async () => {
    api = await startApi();
    const res = await api.call({ method: 'PUT', url: '/v1/targets/local', payload: { apiVersion: 'terrace.dev/v1alpha1', kind: 'Target', metadata: { name: 'local' }, spec: { provider: 'local', tags: {} } }, headers: { 'if-match': '"9"' } });
    expect(res.statusCode).toBe(412);
  });
});
