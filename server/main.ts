// The composition root: the one place that wires store, controller, synthesis and API together.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { realClock } from '../controller/clock.ts';
import { Controller } from '../controller/controller.ts';
import { controllerMetrics } from '../controller/metrics.ts';
import { Reconciler } from '../controller/reconciler.ts';
import { TerraformCli } from '../controller/runner.ts';
import { cachedSynthesize } from '../controller/synth-cache.ts';
import { codeFingerprint } from '../controller/code-fingerprint.ts';
import { loadConstructs, synthesizeTeardownLazily, synthesizeTierLazily } from '../controller/lazy-synth.ts';
import { TerraformSlots } from '../controller/terraform-slots.ts';
import { WorkDirs } from '../controller/workdirs.ts';
import { SpeculativePlanner } from '../controller/speculative-plan.ts';
import { loadDocuments } from '../specs/load.ts';
import { CachedStore, DEFAULT_CACHE_POLL_MS, EMBEDDED_CACHE_POLL_MS } from '../specs/store/cached-store.ts';
import { openStore } from '../specs/store/open.ts';
import type { Store } from '../specs/store/types.ts';
import { buildApp } from '../api/app.ts';
import { ensureAdminToken } from './admin-token.ts';
import { REDACT_PATHS } from '../api/logging.ts';
import { readSettings, type Settings } from './settings.ts';
import { VerifySlots } from '../controller/verify/slots.ts';

export interface ControlPlane {
  url: string;
  store: Store;
  controller: Controller;
  stop(): Promise<void>;
}

const EXAMPLE = new URL('../specs/examples/dev.yaml', import.meta.url);
// server/ and the bundle's chunks both sit one level below the root, so this names dist/web/ from either.
const WEB_ROOT = new URL('../dist/web/', import.meta.url);

export async function startControlPlane(env: NodeJS.ProcessEnv, options: { handleSignals?: boolean } = {}): Promise<ControlPlane> {
  const settings = readSettings(env);
  const log = createLogger(settings);
  let controller: Controller | undefined;
  const { store, mode, table } = await openStore({
    table: settings.table,
    endpoint: settings.endpoint,
    region: settings.region,
    dataDir: settings.dataDir,
    // The change hint: a spec written through this process is reconciled at once.
    onSpecWrite: (kind, name) => (kind === 'Environment' ? controller?.enqueue(name) : void controller?.resync()),
  });
  log.info({ mode, table, dataDir: settings.dataDir }, `store ready (${mode === 'embedded' ? 'embedded DynamoDB' : `DynamoDB table ${table}`})`);
  // The API reads from memory, fed by every write through `store` at once and polled from the table for other
  // replicas' writes. Embedded, no other process can write (LevelDB's lock): the poll is only a safety net.
  const cachePollMs = settings.cachePollMs ?? (mode === 'embedded' ? EMBEDDED_CACHE_POLL_MS : DEFAULT_CACHE_POLL_MS);
  const cached = CachedStore.over(store, { pollMs: cachePollMs, log });
  cached.start();

  const admin = ensureAdminToken({ env, dataDir: settings.dataDir, embedded: mode === 'embedded' });
  if (admin.generated) {
    // Shown once to a person at a terminal; piped output ends up in log stores, so it only names the file there.
    if (process.stdout.isTTY) process.stdout.write(`\n  admin token (saved to ${admin.file ?? 'memory only'}): ${admin.token}\n\n`);
    else log.info({ file: admin.file }, `generated an admin token, saved to ${admin.file ?? 'memory only'} (mode 0600)`);
  }
  if (mode === 'embedded' && settings.seedExample) await seedExample(store, log);

  const registry = new Registry();
  // The controller lists and reads through the cache too (its own status writes land there at once); a pass
  // reads the environment it is about to write fresh (Reconciler).
  const observer = controllerMetrics(registry, cached);
  const terraform = new TerraformCli({
    homeDir: join(settings.dataDir, 'terraform'),
    providerMirror: settings.providerMirror,
    onSpawn: (dir, args) => log.debug({ dir, command: args[0] }, `terraform ${args[0]}`),
  });
  const workdirs = new WorkDirs(join(settings.dataDir, 'work'));
  // `terrace diff`: its own scratch dirs and slots; it reads the state in the controller's working dirs.
  const planner = new SpeculativePlanner({
    terraform,
    synthesize: synthesizeTierLazily,
    teardown: synthesizeTeardownLazily,
    stateDir: (environment, tier) => workdirs.dir(environment, tier),
    scratchRoot: join(settings.dataDir, 'plans'),
    timeoutMs: settings.planTimeoutMs,
    concurrency: settings.planConcurrency,
  });
  const reconciler = new Reconciler({
    store: cached,
    terraform,
    workdirs,
    // Stack summaries kept beside each tier's state: environments at rest need no synthesis after a restart.
    synthesize: cachedSynthesize(synthesizeTierLazily, { disk: { dir: (e, t) => workdirs.dir(e, t), fingerprint: codeFingerprint() } }),
    teardown: synthesizeTeardownLazily,
    terraformSlots: new TerraformSlots(settings.concurrency),
    clock: realClock,
    log,
    timeoutMs: settings.terraformTimeoutMs,
    staleLockMs: settings.terraformTimeoutMs + 2 * settings.leaseTtlMs,
    observer,
    verifySlots: new VerifySlots(settings.verifyConcurrency),
  });
  controller = new Controller({
    store: cached,
    reconciler,
    log,
    replicaId: settings.replicaId,
    concurrency: settings.concurrency,
    resync: settings.resync,
    leaseTtlMs: settings.leaseTtlMs,
    observer,
  });
  const app = await buildApp({
    store: cached,
    rateLimit: { max: settings.rateLimitPerMinute, timeWindowMs: 60_000 },
    logger: log,
    controller,
    registry,
    adminTokenHash: admin.hash,
    trustProxy: settings.trustProxy,
    webRoot: WEB_ROOT,
    planner,
    dryRun: async (environment, target) =>
      (await loadConstructs()).synthesizeEnvironment(environment, target).map((t) => ({ tier: t.tier, resources: t.resourceCount, outputs: t.outputs, violations: t.violations })),
  });
  await app.listen({ port: settings.port, host: settings.host });
  const address = app.server.address();
  const url = typeof address === 'object' && address ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : String(address);
  controller.start();
  log.info({ url, replica: settings.replicaId, concurrency: settings.concurrency }, `control plane listening on ${url} (dashboard at ${url}/, API docs at ${url}/docs)`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down: finishing or cancelling terraform runs, releasing leases');
      await app.close();
      await controller!.stop();
      await cached.close(); // and the store
      log.flush?.();
    })());
  if (options.handleSignals !== false) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void stop().then(() => process.exit(0));
      });
    }
  }
  return { url, store: cached, controller, stop };
}

function createLogger(settings: Settings): Logger {
  return pino({
    level: settings.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    ...(settings.prettyLogs ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname', translateTime: 'HH:MM:ss', singleLine: true } } } : {}),
  });
}

/** A first start on an empty embedded store applies the example dev environment, so there is something to watch. */
async function seedExample(store: Store, log: Logger): Promise<void> {
  const { items } = await store.list('Environment', { limit: 1 });
  if (items.length > 0) return;
  for (const doc of loadDocuments(readFileSync(EXAMPLE, 'utf8'), 'specs/examples/dev.yaml')) {
    await store.create(doc);
    log.info({ environment: doc.metadata.name }, `first start: created the example ${doc.kind} ${doc.metadata.name} from specs/examples/dev.yaml`);
  }
}
