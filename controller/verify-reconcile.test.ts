import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { synthesizeTeardown, synthesizeTier } from '../constructs/index.ts';
import { ANNOTATIONS } from '../specs/meta.ts';
import type { Environment } from '../specs/environment.ts';
import { devEnvironment, quietLog, reconcilerFixture } from '../test/support/controller.ts';
import { startDaphne, type DaphneApp } from '../test/support/daphne.ts';
import { RetryableError } from './errors.ts';
import { Reconciler } from './reconciler.ts';
import { cachedSynthesize } from './synth-cache.ts';
import { VerifySlots } from './verify/slots.ts';
import { WorkDirs } from './workdirs.ts';

// spec.verify inside the reconcile pass: real terraform on the local target, a real Daphne as the app.

const fx = reconcilerFixture();
let app: DaphneApp;
beforeAll(async () => void (app = await startDaphne('ok')), 30_000);
afterAll(() => app.stop());

/** The dev example with network, compute and frontend only, checked at `baseUrl`. */
function verified(baseUrl: string, edit: (spec: Record<string, any>) => void = () => {}): Environment {
  return devEnvironment('chat-dev', (s) => {
    delete s.data;
    delete s.observability;
    s.verify = {
      baseUrl,
      frontendUrl: baseUrl,
      http: [{ path: '/health/ready' }],
      websocket: [{ path: '/ws/echo/', send: 'ping', expect: 'ping', connections: 5, holdSeconds: 1 }],
    };
    edit(s);
  });
}

/** What `POST .../verify` does: a new value of the annotation, later than the last run. */
async function requestVerify(): Promise<void> {
  fx.advance(1_000);
  const env = await fx.get();
  await fx.store.update({ ...env, metadata: { ...env.metadata, annotations: { ...env.metadata.annotations, [ANNOTATIONS.verifyRequestedAt]: new Date(fx.clock.now()).toISOString() } } });
}

const verifyEvents = async () => (await fx.store.listEvents('chat-dev')).items.filter((e) => e.action === 'verify');

describe('the Verified condition', () => {
  it('is True with figures once the tiers apply; a stopped app turns it False (Refused) without terraform; the app back brings it back', async () => {
    await fx.store.create(verified(app.url));
    const first = await fx.reconciler.reconcile('chat-dev', fx.signal());
    let env = await fx.get();
    expect(fx.cond(env, 'Verified')).toMatchObject({ status: 'True', reason: 'ChecksPassed', observedGeneration: 1 });
    expect(fx.cond(env, 'Ready')).toMatchObject({ status: 'True' });
    const ws = env.status.verification!.checks.find((c) => c.kind === 'websocket')!;
    expect(ws).toMatchObject({ passed: true, connections: 5, connectionsHeld: 5 });
    expect(ws.roundTripMs!.p99).toBeGreaterThanOrEqual(ws.roundTripMs!.p50);
    expect(env.status.verification!.checks.map((c) => c.kind)).toEqual(['http', 'websocket', 'frontend']);
    expect(env.status.verification!.ranAt).toBe(new Date(fx.clock.now()).toISOString());
    expect(await verifyEvents()).toMatchObject([{ outcome: 'Succeeded' }]);
    // The next periodic run comes with the drift interval (1h in the example), not later.
    expect(first.requeueAfterMs).toBeLessThanOrEqual(3_600_000);

    await app.stop();
    await requestVerify();
    fx.spawned.length = 0;
    await expect(fx.reconciler.reconcile('chat-dev', fx.signal())).rejects.toBeInstanceOf(RetryableError);
    env = await fx.get();
    expect(fx.cond(env, 'Verified')).toMatchObject({ status: 'False', reason: 'Refused' });
    expect(fx.cond(env, 'Verified')!.message).toMatch(/^3 of 3 check\(s\) failed; cannot connect to http:\/\/127\.0\.0\.1:[0-9]+\/health\/ready \(ECONNREFUSED\)/);
    expect(fx.cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'VerificationFailed' });
    expect(fx.cond(env, 'Reconciling')).toMatchObject({ status: 'True', reason: 'ProgressingWithRetry' });
    expect(fx.cond(env, 'Stalled')?.status).toBe('False');
    expect(fx.spawned).toEqual([]);
    expect((await verifyEvents())[0]).toMatchObject({ outcome: 'Failed' });

    app = await startDaphne('ok', app.port);
    // The retry (the queue's backoff) runs the checks again: Verified is not True.
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    env = await fx.get();
    expect(fx.cond(env, 'Verified')).toMatchObject({ status: 'True', reason: 'ChecksPassed' });
    expect(fx.cond(env, 'Ready')).toMatchObject({ status: 'True' });
    expect(fx.spawned).toEqual([]);
    expect(await verifyEvents()).toHaveLength(3);
  });

  it('runs again on each drift check, and not before', async () => {
    await fx.store.create(verified(app.url, (s) => (s.driftDetection = { enabled: true, interval: '1h' })));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    fx.advance(60_000);
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(await verifyEvents()).toHaveLength(1);
    fx.advance(3_600_000);
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(await verifyEvents()).toHaveLength(2);
  });

  it('is False on the local target without baseUrl, saying to set it, and Ready waits for it', async () => {
    await fx.store.create(verified(app.url, (s) => delete s.verify.baseUrl));
    await expect(fx.reconciler.reconcile('chat-dev', fx.signal())).rejects.toBeInstanceOf(RetryableError);
    const env = await fx.get();
    expect(fx.cond(env, 'Verified')).toMatchObject({ status: 'False', reason: 'NoEndpoint' });
    expect(fx.cond(env, 'Verified')!.message).toContain('set spec.verify.baseUrl');
    expect(fx.cond(env, 'Ready')).toMatchObject({ status: 'False', reason: 'VerificationFailed' });
  });

  it('is absent without spec.verify, and goes when spec.verify goes', async () => {
    await fx.store.create(verified(app.url));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    const env = await fx.get();
    const { verify: _v, ...spec } = env.spec;
    await fx.store.update({ ...env, spec });
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    const after = await fx.get();
    expect(fx.cond(after, 'Verified')).toBeUndefined();
    expect(after.status.verification).toBeUndefined();
    expect(fx.cond(after, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 2 });
  });

  it('goes when spec.verify goes even if that pass stalls', async () => {
    await fx.store.create(verified(app.url));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    const env = await fx.get();
    expect(fx.cond(env, 'Verified')?.status).toBe('True');
    const { verify: _v, ...spec } = env.spec;
    await fx.store.update({ ...env, spec: { ...spec, target: 'nowhere' } });
    await expect(fx.reconciler.reconcile('chat-dev', fx.signal())).rejects.toThrow(/nowhere/);
    const after = await fx.get();
    expect(fx.cond(after, 'Stalled')).toMatchObject({ status: 'True', reason: 'TargetNotFound' });
    expect(fx.cond(after, 'Verified')).toBeUndefined();
    expect(after.status.verification).toBeUndefined();
  });

  it('runs again when compute was applied since the last run, at the same generation', async () => {
    await fx.store.create(verified(app.url));
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    // What a drift correction leaves when its own pass did not get to verify (no free slot, or cancelled).
    fx.advance(1_000);
    const env = await fx.get();
    await fx.store.updateStatus('chat-dev', { ...env.status, tiers: { ...env.status.tiers, compute: { ...env.status.tiers.compute, lastAppliedAt: new Date(fx.clock.now()).toISOString() } } });
    fx.advance(1_000);
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(await verifyEvents()).toHaveLength(2);
    fx.advance(1_000);
    await fx.reconciler.reconcile('chat-dev', fx.signal());
    expect(await verifyEvents()).toHaveLength(2);
  });

  it('stops its checks when the pass is cancelled (shutdown or lost lease) and writes nothing', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    await fx.store.create(verified(base, (s) => {
      s.verify.http = [];
      delete s.frontend;
      delete s.verify.frontendUrl;
      s.verify.websocket = [{ path: '/ws', connections: 2, holdSeconds: 600 }];
    }));
    const abort = new AbortController();
    server.on('connection', () => abort.abort());
    const cancelled = performance.now();
    await expect(fx.reconciler.reconcile('chat-dev', abort.signal)).rejects.toThrow(/cancelled/);
    expect(performance.now() - cancelled).toBeLessThan(20_000); // terraform, then checks cut far below the 600 s hold
    const env = await fx.get();
    expect(env.status.verification).toBeUndefined();
    expect(fx.cond(env, 'Verified')).toBeUndefined();
    expect((await fx.store.listEvents('chat-dev')).items.filter((e) => e.action === 'verify')).toHaveLength(0);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }, 30_000);
});

describe('the SPA check on the local target', () => {
  it('without frontendUrl does not count as verified: nothing was checked', async () => {
    await fx.store.create(verified(app.url, (s) => (s.verify = {})));
    await expect(fx.reconciler.reconcile('chat-dev', fx.signal())).rejects.toBeInstanceOf(RetryableError);
    const env = await fx.get();
    expect(fx.cond(env, 'Verified')).toMatchObject({ status: 'False', reason: 'NoEndpoint' });
    expect(fx.cond(env, 'Verified')!.message).toContain('set spec.verify.frontendUrl');
  });
});

describe('verification slots', () => {
  it('a verification held open does not make another environment wait: it is Queued, not Ready, and comes back soon', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const held = new Promise<void>((resolve) => server.once('connection', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const reconciler = new Reconciler({
      store: fx.store, terraform: fx.terraform, workdirs: new WorkDirs(join(fx.dataDir, 'work')),
      synthesize: cachedSynthesize(synthesizeTier), teardown: synthesizeTeardown, clock: fx.clock, log: quietLog,
      timeoutMs: 120_000, staleLockMs: 600_000, verifySlots: new VerifySlots(1),
    });
    const onlyWs = (s: Record<string, any>) => {
      s.verify.http = [];
      delete s.frontend;
      delete s.verify.frontendUrl;
    };
    // chat-dev's verification holds its one connection until cancelled (the server never closes it).
    await fx.store.create(verified(base, (s) => {
      onlyWs(s);
      s.verify.websocket = [{ path: '/ws', connections: 1, holdSeconds: 600 }];
    }));
    const abort = new AbortController();
    const first = reconciler.reconcile('chat-dev', abort.signal);
    first.catch(() => {});
    await held;

    await fx.store.create(devEnvironment('chat-other', (s) => {
      delete s.data;
      delete s.observability;
      delete s.frontend;
      s.verify = { baseUrl: app.url, http: [{ path: '/health/ready' }] };
    }));
    let firstDone = false;
    void first.finally(() => (firstDone = true)).catch(() => {});
    const result = await reconciler.reconcile('chat-other', fx.signal());
    expect(firstDone).toBe(false);
    expect(result.requeueAfterMs).toBeGreaterThanOrEqual(15_000);
    expect(result.requeueAfterMs).toBeLessThanOrEqual(30_000);
    const other = await fx.get('chat-other');
    expect(fx.cond(other, 'Ready', 'compute')).toMatchObject({ status: 'True' });
    expect(fx.cond(other, 'Verified')).toMatchObject({ status: 'Unknown', reason: 'Queued' });
    expect(fx.cond(other, 'Ready')?.status).not.toBe('True');
    expect(other.status.verification).toBeUndefined();

    abort.abort();
    await expect(first).rejects.toThrow(/cancelled/);
    // The slot is free again: the next pass verifies.
    await reconciler.reconcile('chat-other', fx.signal());
    const after = await fx.get('chat-other');
    expect(fx.cond(after, 'Verified')).toMatchObject({ status: 'True', reason: 'ChecksPassed' });
    expect(fx.cond(after, 'Ready')).toMatchObject({ status: 'True' });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }, 60_000);
});
