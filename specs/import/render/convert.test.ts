import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError, parseEnvironment } from '../../validate.ts';
import { importRenderBlueprint, type RenderImportOptions } from './convert.ts';

const REGISTRY = '111111111111.dkr.ecr.eu-central-1.amazonaws.com/chat';
const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

function convert(text: string, options: Partial<RenderImportOptions> = {}) {
  const result = importRenderBlueprint(text, { target: 'local', imageRegistry: REGISTRY, ...options });
  // Every document the import produces must be one the API accepts as it is.
  for (const doc of result.documents) parseEnvironment(doc);
  const warnings = Object.fromEntries(result.warnings.map((w) => [w.path, w.message]));
  return { ...result, warnings, spec: (i = 0) => result.documents[i].spec as any };
}

function problems(text: string, options: Partial<RenderImportOptions> = {}) {
  try {
    importRenderBlueprint(text, { target: 'local', imageRegistry: REGISTRY, ...options });
  } catch (err) {
    if (err instanceof ValidationError) return err.problems;
    throw err;
  }
  throw new Error('the import succeeded');
}

describe('importRenderBlueprint: the flat layout (chat.yaml: Daphne, Celery, cron, Postgres, Key Value, a static site)', () => {
  const r = convert(fixture('chat.yaml'), { name: 'chat' });
  const [web, worker] = r.spec().compute.services;

  it('makes one Environment with every tier the app needs', () => {
    expect(r.documents).toHaveLength(1);
    expect(r.documents[0].metadata).toEqual({ name: 'chat', labels: { 'imported-from': 'render' } });
    expect(Object.keys(r.spec())).toEqual(['target', 'network', 'data', 'compute', 'frontend', 'observability']);
    expect(r.spec().target).toBe('local');
  });

  it('maps the web service: public, $PORT resolved, plan -> Fargate size, scaling -> autoscaling, health check', () => {
    expect(web).toMatchObject({
      name: 'chat-web',
      image: `${REGISTRY}/chat-web:latest`,
      port: 10000,
      command: ['sh', '-c', 'daphne -b 0.0.0.0 -p 10000 chat.asgi:application'],
      cpu: 1024,
      memory: 2048,
      autoscaling: { min: 2, max: 6, cpuTarget: 70 },
      desiredCount: 2,
      public: true,
      healthCheckPath: '/healthz',
      stopTimeoutSeconds: 60,
    });
    expect(web.paths).toBeUndefined();
    expect(r.spec().compute.domain).toEqual({ name: 'chat.example.com', certificateArn: 'arn:aws:acm:eu-central-1:000000000000:certificate/replace-with-your-certificate' });
  });

  it('keeps literal values literal, references secrets by name and never copies a secret value', () => {
    expect(web.env).toEqual({ DJANGO_SETTINGS_MODULE: 'chat.settings.production', GREETING: 'hello ${USER}', WEB_CONCURRENCY: '4', PORT: '10000' });
    expect(web.secrets).toEqual({
      STRIPE_API_KEY: 'chat/chat-settings/STRIPE_API_KEY',
      SENTRY_DSN: 'chat/chat-web/SENTRY_DSN',
    });
    expect(JSON.stringify(r.documents)).not.toContain('sk_live_not_really_a_key');
    // generateValue: a secret terrace creates with a value AWS generates; a group's, one per service using it.
    expect(web.generatedSecrets).toEqual(['SESSION_SIGNING_KEY', 'DJANGO_SECRET_KEY']);
    expect(worker.generatedSecrets).toEqual(['SESSION_SIGNING_KEY']);
    // fromService envVarKey of a generated value: the same secret (the one terrace creates for chat-web), not a second one.
    expect(worker.secrets.DJANGO_SECRET_KEY).toBe('terrace/chat/chat-web/DJANGO_SECRET_KEY');
    expect(worker.env).toEqual({ DJANGO_SETTINGS_MODULE: 'chat.settings.production' });
  });

  it('runs the cron job on its schedule: its own task definition (a service at desiredCount 0) and compute.schedules', () => {
    const cron = r.spec().compute.services[2];
    expect(cron).toEqual({
      name: 'chat-cleanup', image: `${REGISTRY}/chat-cleanup:latest`, command: ['sh', '-c', 'python manage.py clearsessions'],
      cpu: 512, memory: 1024, desiredCount: 0,
    });
    expect(r.spec().compute.schedules).toEqual([{ name: 'chat-cleanup', schedule: 'cron(0 3 * * ? *)', service: 'chat-cleanup' }]);
    expect(r.mapped).toContainEqual({ path: 'services[2]', message: 'cron chat-cleanup -> compute.services chat-cleanup (desiredCount 0, run by compute.schedules chat-cleanup on 0 3 * * * UTC, 512 cpu / 1024 MiB)' });
  });

  it('warns about a cron schedule EventBridge cannot express, and then leaves the job out', () => {
    const r2 = convert('services:\n  - { type: cron, name: report, runtime: go, schedule: "0 0 1 * 1", startCommand: ./report }\n  - { type: worker, name: jobs, runtime: go }\n');
    expect(r2.spec().compute.services.map((s: any) => s.name)).toEqual(['jobs']);
    expect(r2.spec().compute.schedules).toBeUndefined();
    expect(r2.warnings['services[0].schedule']).toContain('cron job report is not converted');
  });

  it('maps the worker as a private service without a port, Postgres, Key Value and the SPA', () => {
    expect(worker).toEqual({
      name: 'chat-worker', image: `${REGISTRY}/chat-worker:latest`, command: ['sh', '-c', 'celery -A chat worker -l info'],
      cpu: 512, memory: 1024, desiredCount: 2, stopTimeoutSeconds: 120, env: expect.any(Object), secrets: expect.any(Object), generatedSecrets: ['SESSION_SIGNING_KEY'],
    });
    expect(r.spec().data).toEqual({ postgres: { engineVersion: '16.6', minCapacity: 0.5, maxCapacity: 1 }, redis: { nodeType: 'cache.t4g.small', replicas: 1, maxmemoryPolicy: 'allkeys-lru' } });
    expect(r.spec().frontend).toEqual({ spa: true });
    // Parsed as the API stores it, the worker still has no port: no mapping, target group or ingress for it.
    expect(parseEnvironment(r.documents[0]).spec.compute!.services[1].port).toBeUndefined();
  });

  it('leaves a database password out: the app user logs in with IAM tokens', () => {
    const r2 = convert('databases:\n  - { name: db }\nservices:\n  - type: worker\n    name: jobs\n    runtime: go\n    envVars:\n      - { key: DB_PASS, fromDatabase: { name: db, property: password } }\n');
    expect(r2.warnings['services[0].envVars[0].fromDatabase']).toMatch(/^DB_PASS: left out: DATABASE_USER logs in with an IAM token \(DATABASE_IAM_AUTH=true/);
    expect(JSON.stringify(r2.spec().compute.services[0])).not.toContain('DB_PASS');
  });

  it('warns, by Blueprint path, about everything that did not carry over, with the AWS way', () => {
    expect(r.warnings).toMatchObject({
      'services[0].preDeployCommand': expect.stringContaining('aws ecs run-task'),
      'services[0].scaling.targetMemoryPercent': expect.stringContaining('ECSServiceAverageMemoryUtilization 80%'),
      'services[0].envVars[1].fromDatabase': expect.stringContaining('build DATABASE_URL from them'),
      'envVarGroups[0].envVars[2].generateValue': 'SESSION_SIGNING_KEY: Render generated one value shared by the group\'s services; terrace generates a separate value for each (terrace/chat/chat-web/SESSION_SIGNING_KEY, terrace/chat/chat-worker/SESSION_SIGNING_KEY): if they must agree, create one secret and reference it in secrets instead',
      'services[0].envVars[5].sync': expect.stringContaining('chat/chat-web/SENTRY_DSN'),
      'services[0].domains[0]': expect.stringContaining('request an ACM certificate for it in the Target\'s region (eu-central-1, with www.chat.example.com'),
      'services[1].disk': expect.stringContaining('EFS'),
      'services[1].maxShutdownDelaySeconds': expect.stringContaining('at most 120 s'),
      'services[1].envVars[2].fromService': expect.stringContaining('REDIS_URL'),
      'services[3].ipAllowList': expect.any(String),
      'databases[0].diskSizeGB': expect.any(String),
      'envVarGroups[0].envVars[1].value': expect.stringContaining('STRIPE_API_KEY has a literal value that looks like a secret'),
    });
    expect(Object.keys(r.warnings).filter((p) => p.startsWith('services[2]'))).toEqual([]);
    // A service's own generateValue carries over: no warning, a mapped line.
    expect(r.warnings['services[0].envVars[4].generateValue']).toBeUndefined();
    expect(r.warnings['services[3].maxmemoryPolicy']).toBeUndefined();
    // X-Frame-Options: DENY on /* is what terrace's security headers already send: a note, not a warning.
    expect(r.warnings['services[4].headers[0]']).toBeUndefined();
  });

  it('reports what it mapped, including where the AWS region is and how each image is built', () => {
    const mapped = r.mapped.map((m) => `${m.path}: ${m.message}`);
    expect(mapped).toContain('services[0].region: Render region frankfurt -> eu-central-1 is the nearest AWS region: create the Target there');
    expect(mapped).toContainEqual(expect.stringMatching(/^services\[0\]\.image: .*Dockerfile for the python runtime that runs `pip install -r requirements.txt`/));
    expect(mapped).toContain('services[0].envVars[2].fromDatabase: DATABASE_HOST: database chat-db\'s host, injected by terrace from the data tier');
    expect(mapped).toContain('services[0].envVars[4].generateValue: DJANGO_SECRET_KEY -> generatedSecrets: terrace creates the secret terrace/chat/chat-web/DJANGO_SECRET_KEY with a random value AWS generates');
    expect(mapped).toContainEqual(expect.stringMatching(/^services\[4\]: static site chat-app -> frontend .*SPA fallback.*aws s3 sync \.\/build/));
    expect(mapped).toContain('services[4].headers[0]: X-Frame-Options: DENY on /*: terrace\'s security headers already set X-Frame-Options: DENY');
  });
});

describe('importRenderBlueprint: projects and environments, older spellings (projects.yaml)', () => {
  const r = convert(fixture('projects.yaml'));

  it('makes one Environment per Render environment, named <project>-<environment>', () => {
    expect(r.documents.map((d: any) => d.metadata.name)).toEqual(['shop-staging', 'shop-production']);
    expect(convert(fixture('projects.yaml'), { name: 'store' }).documents.map((d: any) => d.metadata.name)).toEqual(['store-staging', 'store-production']);
  });

  it('reads env: docker, type: redis, numInstances, a plan spelled Starter, PORT from envVars and ${PORT}', () => {
    const [storefront, search] = r.spec(0).compute.services;
    expect(storefront).toMatchObject({ port: 3000, command: ['sh', '-c', 'node server.js --port 3000'], cpu: 512, memory: 1024, desiredCount: 1, public: true });
    expect(search).toEqual({ name: 'search', image: 'docker.io/getmeili/meilisearch:v1.8', port: 10000, cpu: 512, memory: 1024, env: { MEILI_ENV: 'production', PORT: '10000' } });
    expect(r.spec(0).data.redis).toEqual({ nodeType: 'cache.t4g.micro', replicas: 0 });
    expect(r.spec(0).data.postgres).toEqual({ engineVersion: '15.10', minCapacity: 1, maxCapacity: 4, readers: 1 });
    expect(r.spec(1).compute.services[0]).toMatchObject({ cpu: 4096, memory: 8192, desiredCount: 3 });
    expect(r.spec(1).compute.domain.certificateArn).toContain(':us-east-1:');
  });

  it('keeps a Key Value maxmemoryPolicy as data.redis.maxmemoryPolicy, and warns about one Redis does not have', () => {
    expect(convert(fixture('chat.yaml'), { name: 'chat' }).mapped).toContainEqual({ path: 'services[3]', message: expect.stringContaining('maxmemory-policy allkeys-lru in a parameter group of its own') });
    const kv = (policy: string) => convert(`services:\n  - { type: keyvalue, name: cache, plan: starter, maxmemoryPolicy: ${policy} }\n`);
    expect(kv('noeviction').spec().data.redis).toEqual({ nodeType: 'cache.t4g.micro', replicas: 0, maxmemoryPolicy: 'noeviction' });
    const odd = kv('allkeys-fifo');
    expect(odd.spec().data.redis).toEqual({ nodeType: 'cache.t4g.micro', replicas: 0 });
    expect(odd.warnings['services[0].maxmemoryPolicy']).toContain('"allkeys-fifo" is not a Redis maxmemory-policy');
  });

  it('turns highAvailability and readReplicas into Aurora readers, the standby shared with the first replica', () => {
    const at = 'projects[0].environments[0].databases[0]';
    expect(r.warnings[`${at}.highAvailability`]).toBeUndefined();
    expect(r.warnings[`${at}.readReplicas`]).toBeUndefined();
    expect(r.mapped).toContainEqual({ path: at, message: expect.stringContaining('1 reader(s) in other AZs (the first the failover standby), read at DATABASE_READ_HOST') });
    const db = (fields: string) => convert(['services:', '  - { type: web, name: app, runtime: image, image: { url: docker.io/library/nginx } }', 'databases:', `  - { name: db, ${fields} }`].join('\n'));
    expect(db('readReplicas: [{ name: a }, { name: b }, { name: c }]').spec().data.postgres.readers).toBe(3);
    expect(db('highAvailability: { enabled: true }, readReplicas: [{ name: a }, { name: b }]').spec().data.postgres.readers).toBe(2);
    expect(db('highAvailability: { enabled: false }, readReplicas: []').spec().data.postgres.readers).toBeUndefined();
    const many = db(`readReplicas: [${Array.from({ length: 16 }, (_, i) => `{ name: r${i} }`).join(', ')}]`);
    expect(many.spec().data.postgres.readers).toBe(15);
    expect(many.warnings['databases[0].readReplicas']).toContain('at most 15 readers');
  });

  it('warns about the second database, the private service and its address; previews become the preview recipe', () => {
    const at = 'projects[0].environments[0]';
    expect(r.warnings).toMatchObject({
      [`${at}.databases[1]`]: expect.stringContaining('second database analytics-db'),
      [`${at}.services[0].envVars[2].fromService`]: expect.stringContaining('read REDIS_HOST'),
      [`${at}.networkIsolationEnabled`]: expect.any(String),
    });
    expect(r.warnings.previews).toBeUndefined();
    expect(r.mapped).toContainEqual({ path: 'previews', message: expect.stringContaining('`npx terrace preview create shop-staging --name pr-<number> --ttl 72h`') });
    expect(r.warnings[`${at}.services[0]`]).toContain('replace shop-staging.example.com with your domain');
  });

  it('reaches the pserv by its private DNS name: a note, and fromService host/port/hostport become that name and port', () => {
    const at = 'projects[0].environments[0]';
    expect(r.warnings[`${at}.services[1]`]).toBeUndefined();
    expect(r.mapped).toContainEqual({ path: `${at}.services[1]`, message: expect.stringContaining('pserv search -> compute.services search (private, reached by the others at search.shop-staging.internal:10000') });
    expect(r.warnings[`${at}.services[0].envVars[1].fromService`]).toBeUndefined();
    expect(r.spec(0).compute.services[0].env.SEARCH_HOSTPORT).toBe('search.shop-staging.internal:10000');
    expect(r.mapped).toContainEqual({ path: `${at}.services[0].envVars[1].fromService`, message: 'SEARCH_HOSTPORT: hostport of search -> search.shop-staging.internal:10000 (its private DNS name in the Environment\'s Cloud Map namespace)' });

    const text = [
      'services:',
      '  - type: web',
      '    name: Chat API',
      '    runtime: image',
      '    image: { url: docker.io/library/nginx }',
      '    envVars:',
      '      - { key: PORT, value: "8000" }',
      '  - type: worker',
      '    name: jobs',
      '    runtime: image',
      '    image: { url: docker.io/library/busybox }',
      '    envVars:',
      '      - { key: API_HOST, fromService: { type: web, name: Chat API, property: host } }',
      '      - { key: API_PORT, fromService: { type: web, name: Chat API, property: port } }',
      '      - { key: API, fromService: { type: web, name: Chat API, property: hostport } }',
      '      - { key: API_URL, fromService: { type: web, name: Chat API, property: connectionString } }',
      '      - { key: SELF, fromService: { type: worker, name: jobs, property: host } }',
    ].join('\n');
    const r2 = convert(text, { name: 'chat-dev' });
    expect(r2.spec().compute.services[1].env).toEqual({ API_HOST: 'chat-api.chat-dev.internal', API_PORT: '8000', API: 'chat-api.chat-dev.internal:8000' });
    expect(r2.warnings['services[1].envVars[3].fromService']).toBe('API_URL: connectionString is a Key Value\'s; Chat API is reached at chat-api.chat-dev.internal:8000: set API_URL from that by hand');
    expect(r2.warnings['services[1].envVars[4].fromService']).toBe('SELF: host of jobs: a worker service listens on no port another service can reach: left out');
  });
});

describe('importRenderBlueprint: broken input is an error naming the path, never a crash', () => {
  it('refuses text that is not YAML, naming the line', () => {
    expect(problems('services:\n  - type: web\n   name: [\n', { source: 'render.yaml' })[0]).toMatchObject({ path: expect.stringMatching(/^render\.yaml:[0-9]+:[0-9]+$/), message: expect.stringMatching(/^not valid YAML: /) });
  });

  it('refuses YAML that is not a Blueprint', () => {
    expect(problems('apiVersion: v1\nkind: Pod\n', { source: 'pod.yaml' })).toEqual([
      { path: 'pod.yaml', message: 'is not a Render Blueprint: expected a mapping with services, databases or projects at the top level (got keys apiVersion, kind)' },
    ]);
    expect(problems('')[0].message).toContain('(got an empty file)');
  });

  it('refuses references to a database, service or group the file does not define', () => {
    const text = [
      'services:',
      '  - type: web',
      '    name: api',
      '    runtime: node',
      '    envVars:',
      '      - { key: DATABASE_URL, fromDatabase: { name: maindb, property: connectionString } }',
      '      - { key: CACHE, fromService: { type: keyvalue, name: cache, property: host } }',
      '      - fromGroup: shared',
      'databases:',
      '  - name: main-db',
    ].join('\n');
    expect(problems(text)).toEqual([
      { path: 'services[0].envVars[0].fromDatabase.name', message: 'no database named "maindb" in this Blueprint (databases: main-db)' },
      { path: 'services[0].envVars[1].fromService.name', message: 'no service named "cache" in this Blueprint (services: api)' },
      { path: 'services[0].envVars[2].fromGroup', message: 'no envVarGroup named "shared" (groups: none)' },
    ]);
  });

  it('refuses an unknown service type and a missing name', () => {
    expect(problems('services:\n  - { type: database, name: db }\n  - { type: web }\n')).toEqual([
      { path: 'services[0].type', message: '"database" is not a service type (one of web, pserv, worker, cron, keyvalue, redis; a static site is type web with runtime static)' },
      { path: 'services[1].name', message: 'is required' },
    ]);
  });

  it('needs --image-registry for a service Render built from source, and not for image.url', () => {
    expect(problems('services:\n  - { type: worker, name: jobs, runtime: ruby }\n', { imageRegistry: undefined })).toEqual([
      { path: 'services[0].image', message: 'jobs builds from source on Render: give --image-registry (images become <registry>/jobs:latest), or image.url in the Blueprint' },
    ]);
    const r = convert('services:\n  - { type: worker, name: jobs, runtime: image, image: { url: "ghcr.io/a/jobs:1" } }\n', { imageRegistry: undefined });
    expect(r.spec().compute.services[0].image).toBe('ghcr.io/a/jobs:1');
  });
});

describe('importRenderBlueprint: details', () => {
  it('gives a second public web service a path prefix and its own port, and warns', () => {
    const r = convert('services:\n  - { type: web, name: app, runtime: node }\n  - { type: web, name: admin, runtime: node }\n', { name: 'two' });
    expect(r.spec().compute.services.map((s: any) => [s.name, s.port, s.paths])).toEqual([['app', 10000, undefined], ['admin', 10001, ['/admin/*']]]);
    expect(r.warnings['services[1]']).toContain('second public web service');
  });

  it('reads YAML 1.1 words and numbers as the strings Render reads, and turns Render names into terrace names', () => {
    const r = convert('services:\n  - type: worker\n    name: My_Worker\n    runtime: go\n    envVars:\n      - { key: DEBUG, value: off }\n      - { key: LIMIT, value: 100_000 }\n      - { key: ON, value: true }\n');
    expect((r.documents[0] as any).metadata.name).toBe('my-worker');
    expect(r.spec().compute.services[0].env).toEqual({ DEBUG: 'off', LIMIT: '100_000', ON: 'true' });
  });

  it('moves a literal credential URL to a secret reference', () => {
    const r = convert('services:\n  - type: worker\n    name: jobs\n    runtime: go\n    envVars:\n      - { key: UPSTREAM, value: "postgres://admin:hunter2@db.example.com/app" }\n', { name: 'jobs' });
    expect(r.spec().compute.services[0].secrets).toEqual({ UPSTREAM: 'jobs/jobs/UPSTREAM' });
    expect(JSON.stringify(r.documents)).not.toContain('hunter2');
  });

  it('names each project environment\'s own secrets after it, for a top-level group they share', () => {
    const text = [
      'envVarGroups:',
      '  - { name: shared, envVars: [{ key: API_TOKEN, sync: false }] }',
      'projects:',
      '  - name: shop',
      '    environments:',
      '      - { name: staging, services: [{ type: worker, name: jobs, runtime: go, envVars: [{ fromGroup: shared }] }] }',
      '      - { name: prod, services: [{ type: worker, name: jobs, runtime: go, envVars: [{ fromGroup: shared }] }] }',
    ].join('\n');
    const r = convert(text);
    expect(r.documents.map((_, i) => r.spec(i).compute.services[0].secrets)).toEqual([{ API_TOKEN: 'shop-staging/shared/API_TOKEN' }, { API_TOKEN: 'shop-prod/shared/API_TOKEN' }]);
  });

  it('gives a group\'s generated value to the one service using it without a warning; a literal of the service wins', () => {
    const text = [
      'envVarGroups:',
      '  - { name: keys, envVars: [{ key: SIGNING_KEY, generateValue: true }, { key: MODE, generateValue: true }] }',
      'services:',
      '  - { type: worker, name: jobs, runtime: go, envVars: [{ fromGroup: keys }, { key: MODE, value: fast }] }',
    ].join('\n');
    const r = convert(text, { name: 'jobs' });
    expect(r.spec().compute.services[0]).toMatchObject({ env: { MODE: 'fast' }, generatedSecrets: ['SIGNING_KEY'] });
    expect(r.warnings).toEqual({});
    expect(r.mapped.map((m) => m.path)).toContain('envVarGroups[0].envVars[0].generateValue');
    expect(JSON.stringify(r.documents)).not.toContain('"secrets"');
  });

  it('reports what the Environment schema refuses, by Environment and path, instead of printing it', () => {
    const services = Array.from({ length: 21 }, (_, i) => `  - { type: worker, name: w${i + 100}, runtime: go }`);
    expect(problems(['services:', ...services].join('\n'), { name: 'many' })).toEqual([
      { path: 'Environment many spec.compute.services', message: expect.stringContaining('20') },
    ]);
  });

  it('warns about unknown fields instead of dropping them silently', () => {
    const r = convert('services:\n  - { type: worker, name: jobs, runtime: go, colour: blue }\nredis: {}\n');
    expect(r.warnings).toMatchObject({ 'services[0].colour': 'is not a Blueprint field terrace knows: left out', redis: 'is not a Blueprint field terrace knows: left out' });
  });

  it('turns a static site without the rewrite into a frontend without SPA fallback, warning about its routes', () => {
    const r = convert('services:\n  - type: web\n    name: docs\n    env: static\n    routes: [{ type: redirect, source: /old, destination: /new }]\n    domains: [docs.example.com]\n');
    expect(r.spec()).toEqual({ target: 'local', frontend: { spa: false, domain: { name: 'docs.example.com', certificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/replace-with-your-certificate' } }, observability: {} });
    expect(r.warnings['services[0].routes[0]']).toContain('redirect /old -> /new');
  });

  it('maps static-site headers on /* to frontend.headers, notes or warns the security headers terrace sets, warns the rest', () => {
    const headers = [
      '{ path: /*, name: Cache-Control, value: "public, max-age=300" }',
      '{ path: /*, name: X-Robots-Tag, value: "noindex, ${NOT_A_TEMPLATE}" }',
      '{ path: /*, name: x-content-type-options, value: NoSniff }',
      '{ path: /*, name: X-Frame-Options, value: SAMEORIGIN }',
      '{ path: /*, name: Content-Security-Policy, value: "default-src \'self\'" }',
      '{ path: /*, name: Access-Control-Allow-Origin, value: "*" }',
      '{ path: /*, name: X-Amz-Meta-Team, value: web }',
      '{ path: /*, name: cache-control, value: no-store }',
      '{ path: /assets/*, name: Cache-Control, value: "public, max-age=31536000, immutable" }',
      '{ path: /*, name: X-Empty }',
    ];
    const r = convert(`services:\n  - type: web\n    name: docs\n    runtime: static\n    headers:\n${headers.map((h) => `      - ${h}\n`).join('')}`);
    expect(r.spec().frontend).toEqual({ spa: false, headers: { 'Cache-Control': 'public, max-age=300', 'X-Robots-Tag': 'noindex, ${NOT_A_TEMPLATE}' } });
    const mapped = r.mapped.map((m) => `${m.path}: ${m.message}`);
    expect(mapped).toContain('services[0].headers[0]: Cache-Control: public, max-age=300 on /* -> frontend.headers (a custom header of the CloudFront response headers policy)');
    expect(mapped).toContain('services[0].headers[2]: x-content-type-options: NoSniff on /*: terrace\'s security headers already set X-Content-Type-Options: nosniff');
    expect(Object.fromEntries(Object.entries(r.warnings).filter(([p]) => p.startsWith('services[0].headers')))).toEqual({
      'services[0].headers[3]': 'X-Frame-Options: SAMEORIGIN on /*: terrace\'s security headers set X-Frame-Options: DENY on every response, and Render\'s value is not carried over',
      'services[0].headers[4]': expect.stringMatching(/^Content-Security-Policy: default-src 'self' on \/\*: Content-Security-Policy is a security header of the response headers policy .*not carried over$/),
      'services[0].headers[5]': expect.stringContaining('is a CORS header'),
      'services[0].headers[6]': expect.stringContaining('is reserved by CloudFront (X-Amz-*)'),
      'services[0].headers[7]': 'cache-control: no-store on /*: Cache-Control is already set by an earlier header on /*: not carried over',
      'services[0].headers[8]': expect.stringContaining('CloudFront applies one response headers policy per cache behaviour'),
      'services[0].headers[9]': 'a header needs a name and a value: not carried over',
    });
  });

  it('carries over at most CloudFront\'s 10 custom headers', () => {
    const headers = Array.from({ length: 11 }, (_, i) => `      - { path: /*, name: X-Custom-${i}, value: v${i} }\n`).join('');
    const r = convert(`services:\n  - type: web\n    name: docs\n    runtime: static\n    headers:\n${headers}`);
    expect(Object.keys(r.spec().frontend.headers)).toHaveLength(10);
    expect(r.warnings['services[0].headers[10]']).toContain('at most 10 custom headers');
  });
});
