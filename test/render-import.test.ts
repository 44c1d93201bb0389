import { describe, expect, it } from 'vitest';
import { synthesizeTier } from '../constructs/index.ts';
import { computeModel, injectedVars } from '../constructs/model/compute.ts';
import { modelContext } from '../constructs/model/context.ts';
import { POSTGRES_ENV, REDIS_ENV, generatedSecretName, privateAddress } from '../specs/import/render/env-vars.ts';
import { importRenderBlueprint } from '../specs/import/render/convert.ts';
import { localTarget } from '../specs/target.ts';
import { parseEnvironment } from '../specs/validate.ts';

const BLUEPRINT = [
  'services:',
  '  - type: web',
  '    name: api',
  '    runtime: node',
  '    startCommand: node server.js --greeting "${GREETING}" --port $PORT',
  '    envVars:',
  '      - { key: TEMPLATE, value: "hello ${USER} and %{if x}" }',
  '      - { key: DATABASE_HOST, fromDatabase: { name: db, property: host } }',
  'databases:',
  '  - name: db',
].join('\n');

describe('an imported Blueprint through synthesis', () => {
  const [doc] = importRenderBlueprint(BLUEPRINT, { target: 'local', name: 'literal', imageRegistry: 'ghcr.io/acme' }).documents;
  const environment = parseEnvironment(doc);

  it('reaches the container literally: ${...} and %{...} from a Blueprint are escaped for terraform', () => {
    const tf = JSON.parse(synthesizeTier({ environment, target: localTarget(), tier: 'compute' }).json);
    const text = JSON.stringify(tf);
    expect(text).toContain('hello $${USER} and %%{if x}');
    expect(text).toContain('--greeting \\"$${GREETING}\\" --port 10000');
    expect(text).not.toMatch(/[^$]\$\{USER\}/);
  });

  it('maps Render references onto the names the compute tier really injects', () => {
    const injected = injectedVars(modelContext(parseEnvironment({ ...doc, spec: { ...(doc.spec as object), data: { postgres: {}, redis: {} } } }), localTarget()));
    const names = [...injected.env, ...injected.secrets].map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining([...Object.values(POSTGRES_ENV), ...Object.values(REDIS_ENV)]));
  });

  it('writes a service\'s address as the private DNS name the compute tier registers it under', () => {
    const [api] = computeModel(modelContext(environment, localTarget())).services;
    expect(privateAddress('literal', 'api')).toBe(api.discovery.dnsName);
  });

  it('names a generated secret as the compute tier creates it', () => {
    const env = parseEnvironment({ ...doc, spec: { ...(doc.spec as object), compute: { services: [{ name: 'api', image: 'x', generatedSecrets: ['KEY'] }] } } });
    const [api] = computeModel(modelContext(env, localTarget())).services;
    expect(generatedSecretName(env.metadata.name, 'api', 'KEY')).toBe(api.generatedSecrets[0].secretName);
  });
});
