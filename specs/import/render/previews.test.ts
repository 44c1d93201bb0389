import { describe, expect, it } from 'vitest';
import { previewOf } from '../../preview.ts';
import { parseEnvironment } from '../../validate.ts';
import { importRenderBlueprint } from './convert.ts';

// A Blueprint's previews settings become the `terrace preview create` command line of the report; what a preview
// cannot express is warned at its path.

const BLUEPRINT = (previews: string, service = '', db = '') => [
  'services:',
  '  - type: web',
  '    name: app',
  '    runtime: image',
  '    image: { url: ghcr.io/acme/app:main }',
  '    plan: standard',
  '    envVars:',
  '      - { key: APP_MODE, value: production, previewValue: preview }',
  '      - { key: WORKERS, value: "8", previewValue: "2" }',
  '      - { key: API_TOKEN, sync: false, previewValue: not-a-secret-to-copy }',
  ...(service ? [`    ${service}`] : []),
  '  - { type: worker, name: jobs, runtime: image, image: { url: "ghcr.io/acme/app:main" }, previews: { generation: "off" } }',
  'databases:',
  `  - { name: db${db ? `, ${db}` : ''} }`,
  previews,
].join('\n');

function report(text: string) {
  const r = importRenderBlueprint(text, { target: 'local', name: 'shop' });
  return { ...r, warnings: Object.fromEntries(r.warnings.map((w) => [w.path, w.message])), mapped: Object.fromEntries(r.mapped.map((m) => [m.path, m.message])) };
}

/** The `--set` expressions of the recipe's command line. */
const setsOf = (message: string) => [...message.matchAll(/--set '([^']+)'/g)].map((m) => m[1]);

describe('Render previews -> the preview recipe', () => {
  it('expireAfterDays becomes --ttl, the preview plan and numInstances --set, a service left out of previews runs no task', () => {
    const r = report(BLUEPRINT('previews: { generation: automatic, expireAfterDays: 5 }', 'previews: { plan: starter, numInstances: 2 }', 'previewPlan: basic-256mb'));
    const recipe = r.mapped.previews;
    expect(recipe).toContain('for every pull request, CI runs `npx terrace preview create shop --name pr-<number> --ttl 5d');
    expect(setsOf(recipe)).toEqual([
      'compute.services[0].cpu=512', 'compute.services[0].memory=1024', 'compute.services[0].desiredCount=2',
      'compute.services[0].env.APP_MODE=preview', 'compute.services[0].env.WORKERS="2"',
      'compute.services[1].desiredCount=0',
    ]);
    expect(r.mapped['databases[0].previewPlan']).toContain('smallest Aurora capacity');
    expect(r.warnings['services[0].envVars[2].previewValue']).toContain('looks like a secret');
    expect(Object.keys(r.warnings).filter((p) => /preview/i.test(p))).toEqual(['services[0].envVars[2].previewValue']);
  });

  it('the recipe runs: its --set expressions, applied to the imported Environment as terrace preview create does, validate', () => {
    const r = importRenderBlueprint(BLUEPRINT('previews: { generation: automatic }', 'previews: { plan: starter, numInstances: 2 }'), { target: 'local', name: 'shop' });
    const base = parseEnvironment(r.documents[0]);
    const set = setsOf(r.mapped.find((m) => m.path === 'previews')!.message);
    const preview = parseEnvironment(previewOf(base, { name: 'pr-1', expiresAt: new Date(0), set }));
    expect(preview.spec.compute!.services[0]).toMatchObject({ cpu: 512, memory: 1024, desiredCount: 2, env: expect.objectContaining({ APP_MODE: 'preview', WORKERS: '2' }) });
    expect(preview.spec.compute!.services[1].desiredCount).toBe(0);
  });

  it('reads the older previewsEnabled and previewsExpireAfterDays, caps the ttl at 30d, and says when previews are off', () => {
    const old = report(BLUEPRINT('previewsEnabled: true\npreviewsExpireAfterDays: 45'));
    expect(old.mapped.previewsEnabled).toContain('--ttl 30d');
    expect(old.warnings.previewsExpireAfterDays).toContain('at most 30d');
    expect(report(BLUEPRINT('previews: { generation: "off" }')).mapped.previews).toContain('previews are off');
    expect(report(BLUEPRINT('previews: { generation: manual }')).mapped.previews).toContain('for a pull request someone asks a preview of');
  });

  it('warns at its path about what it cannot read', () => {
    const r = report(BLUEPRINT('previews: { generation: sometimes, expireAfterDays: soon, branch: main }', 'previews: { plan: galactic, numInstances: many, region: ohio }'));
    expect(r.warnings).toMatchObject({
      'previews.generation': expect.stringContaining('not one of off, manual, automatic'),
      'previews.expireAfterDays': expect.stringContaining('not a whole number of days'),
      'previews.branch': expect.stringContaining('left out'),
      'services[0].previews.plan': expect.stringContaining('not a Render plan'),
      'services[0].previews.numInstances': expect.stringContaining('not a number of instances'),
      'services[0].previews.region': expect.stringContaining('left out'),
    });
    expect(r.mapped.previews).toContain('--ttl 72h');
  });
});
