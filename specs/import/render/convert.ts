import { API_VERSION } from '../../meta.ts';
import { ValidationError, parseEnvironment } from '../../validate.ts';
import { blueprintUnits, readBlueprint, unitPath, type BlueprintUnit } from './blueprint.ts';
import { postgres, redis } from './data.ts';
import { frontend } from './frontend.ts';
import { previewRecipe } from './previews.ts';
import { scalar, Notes, type Note, type Raw } from './notes.ts';
import type { BlueprintService, Scope } from './scope.ts';
import { computeService, servicePorts } from './services.ts';
import { DEFAULT_REGION, REGIONS } from './tables.ts';
import { eventBridgeCron } from './cron.ts';

export interface RenderImportOptions {
  /** The Target every Environment goes to. */
  target: string;
  /** The Environment's name (flat layout), or the prefix of `<name>-<environment>` (projects). */
  name?: string;
  /** Where images of services Render built from source are pushed: `<registry>/<service>:latest`. */
  imageRegistry?: string;
  /** The file name, for errors about the file itself. */
  source?: string;
}

export interface RenderImport {
  /** Environment documents as a person would write them (defaults left out); each passes parseEnvironment. */
  documents: Raw[];
  mapped: Note[];
  warnings: Note[];
}

/** ACM ARNs the import cannot know: valid in shape, so the documents validate and apply on the local target. */
const PLACEHOLDER_ACCOUNT = '000000000000';
const placeholderCertificate = (region: string) => `arn:aws:acm:${region}:${PLACEHOLDER_ACCOUNT}:certificate/replace-with-your-certificate`;
const DOMAIN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * A Render Blueprint (render.yaml text) as terrace Environments, one per Render environment, with a report of
 * what was mapped and what was not (by Blueprint path). Throws a ValidationError naming the paths when the text
 * is not a Blueprint or refers to things it does not define. Pure: no I/O.
 */
export function importRenderBlueprint(text: string, options: RenderImportOptions): RenderImport {
  const notes = new Notes();
  const top = readBlueprint(text, options.source ?? 'render.yaml');
  const units = blueprintUnits(top, options.name, notes);
  const documents = notes.errors.length > 0 ? [] : units.map((unit) => environment(unit, options, notes));
  if (notes.errors.length === 0) previewRecipe(top, units, documents, notes);
  const names = units.map((u) => u.name);
  names.forEach((n, i) => names.indexOf(n) < i && notes.error(unitPath(units[i]), `becomes Environment ${n}, like another: pass --name or rename`));
  if (notes.errors.length > 0) throw new ValidationError(notes.errors);
  // What the schema refuses (21 services, a value over 32 KiB) is reported with its paths rather than emitted.
  const invalid = documents.flatMap((doc) => {
    try {
      parseEnvironment(doc);
      return [];
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return err.problems.map((p) => ({ path: `Environment ${(doc.metadata as { name: string }).name} ${p.path}`, message: p.message }));
    }
  });
  if (invalid.length > 0) throw new ValidationError(invalid);
  return { documents, mapped: inBlueprintOrder(notes.mapped), warnings: inBlueprintOrder(notes.warnings) };
}

/** The report follows the file: `services[2]` before `services[10]`, a resource before its fields. */
function inBlueprintOrder(notes: Note[]): Note[] {
  const key = (path: string) => path.replace(/^\(file\)/, '').replace(/[0-9]+/g, (n) => n.padStart(6, '0'));
  return [...notes].sort((a, b) => (key(a.path) < key(b.path) ? -1 : key(a.path) > key(b.path) ? 1 : 0));
}

function environment(unit: BlueprintUnit, options: RenderImportOptions, notes: Notes): Raw {
  const { services, databases } = unit;
  const of = (kind: BlueprintService['kind']) => services.filter((s) => s.kind === kind);
  const scope: Scope = { env: unit.name, services, databases, groups: unit.groups, postgres: databases[0], redis: of('keyvalue')[0], ports: servicePorts(services, unit.groups) };
  const region = awsRegion(unit, notes);
  const spec: Raw = { target: options.target };

  const data: Raw = {};
  if (scope.postgres) data.postgres = postgres(scope.postgres, notes);
  for (const db of databases.slice(1)) notes.warn(db.path, `second database ${db.renderName}: terrace has one data.postgres per Environment; create it as a database in the same cluster (CREATE DATABASE) or in its own Environment`);
  if (scope.redis) data.redis = redis(scope.redis, notes);
  for (const kv of of('keyvalue').slice(1)) notes.warn(kv.path, `second Key Value ${kv.renderName}: terrace has one data.redis per Environment; use another Redis logical database (/1) or its own Environment`);

  let publicIndex = 0;
  const crons = of('cron').flatMap((cron) => {
    const expression = cronExpression(cron, notes);
    return expression ? [{ cron, expression }] : [];
  });
  const compute = services
    .filter((s) => s.kind === 'web' || s.kind === 'pserv' || s.kind === 'worker' || crons.some((c) => c.cron === s))
    .map((s) => computeService(s, { scope, notes, imageRegistry: options.imageRegistry, publicIndex: s.kind === 'web' ? publicIndex++ : undefined }));
  const schedules = crons.map(({ cron, expression }) => ({ name: cron.name, schedule: expression, service: cron.name }));

  const site = of('static')[0];
  for (const other of of('static').slice(1)) notes.warn(other.path, `second static site ${other.renderName}: terrace has one frontend per Environment; serve it from its own Environment`);

  if (data.postgres || data.redis || compute.length > 0) {
    spec.network = {};
    notes.map(unitPath(unit), `Environment ${unit.name} -> network (a VPC across 2 AZs with one NAT gateway: Render's private network)`);
  }
  if (data.postgres || data.redis) spec.data = data;
  if (compute.length > 0) {
    const domain = computeDomain(services.filter((s) => s.kind === 'web'), unit.name, region, notes);
    spec.compute = { ...(domain ? { domain } : {}), services: compute, ...(schedules.length > 0 ? { schedules } : {}) };
  }
  if (site) spec.frontend = { ...frontend(site, notes), ...siteDomain(site, notes) };
  spec.observability = {};
  return { apiVersion: API_VERSION, kind: 'Environment', metadata: { name: unit.name, labels: { 'imported-from': 'render' } }, spec };
}

/** The ALB's domain: the first web service's first domain, with a placeholder certificate the report explains. */
function computeDomain(web: BlueprintService[], env: string, region: string, notes: Notes): Raw | undefined {
  if (web.length === 0) return undefined;
  const [first, ...others] = web.flatMap((s) => validDomains(s, notes).map((name, i) => ({ s, name, path: `${s.path}.domains[${i}]` })));
  const certificateArn = placeholderCertificate(region);
  if (!first) {
    const name = `${env}.example.com`;
    notes.warn(web[0].path, `Render served it on onrender.com: terrace serves public services on compute.domain only; replace ${name} with your domain and the placeholder certificateArn with an ACM certificate for it in ${region}`);
    return { name, certificateArn };
  }
  notes.warn(first.path, `${first.name}: request an ACM certificate for it in the Target's region (${region}${others.length ? `, with ${others.map((o) => o.name).join(', ')} as other names` : ''}), validate it by DNS, put its ARN in spec.compute.domain.certificateArn (a placeholder is there now), then point ${first.name} at the ALB (a CNAME, or a Route 53 alias)`);
  return { name: first.name, certificateArn };
}

function siteDomain(site: BlueprintService, notes: Notes): Raw {
  const [name] = validDomains(site, notes);
  if (!name) return {};
  notes.warn(`${site.path}.domains[0]`, `${name}: request an ACM certificate for it in us-east-1 (CloudFront reads certificates only there), put its ARN in spec.frontend.domain.certificateArn (a placeholder is there now), then point ${name} at the distribution`);
  return { domain: { name, certificateArn: placeholderCertificate('us-east-1') } };
}

function validDomains(service: BlueprintService, notes: Notes): string[] {
  const domains = Array.isArray(service.raw.domains) ? service.raw.domains : [];
  return domains.flatMap((d, i) => {
    const name = scalar(d)?.toLowerCase();
    if (name && DOMAIN.test(name)) return [name];
    notes.warn(`${service.path}.domains[${i}]`, `${JSON.stringify(d)} is not a domain name terrace takes (no wildcards): left out`);
    return [];
  });
}

/** Render regions in use -> the nearest AWS region, as advice (the Target decides). */
function awsRegion(unit: BlueprintUnit, notes: Notes): string {
  const placed = [...unit.services, ...unit.databases].flatMap((r) => (r.raw.region === undefined ? [] : [{ path: `${r.path}.region`, region: scalar(r.raw.region) ?? '' }]));
  const known = placed.filter((p) => REGIONS[p.region]);
  for (const p of placed.filter((x) => !REGIONS[x.region])) notes.warn(p.path, `${JSON.stringify(p.region)} is not a Render region terrace knows (${Object.keys(REGIONS).join(', ')})`);
  const chosen = known[0]?.region ?? DEFAULT_REGION;
  const aws = REGIONS[chosen];
  notes.map(known[0]?.path ?? unitPath(unit), `Render region ${chosen}${known.length ? '' : ' (Render\'s default)'} -> ${aws} is the nearest AWS region: create the Target there`);
  for (const p of known.filter((x) => x.region !== chosen)) notes.warn(p.path, `${p.region}: one Environment runs in one region (${aws}); put this in an Environment on a Target in ${REGIONS[p.region]}`);
  return aws;
}

/** A cron job's schedule for EventBridge, or a warning saying why it cannot run as written. */
function cronExpression(cron: BlueprintService, notes: Notes): string | undefined {
  const schedule = scalar(cron.raw.schedule);
  if (schedule === undefined) return void notes.error(`${cron.path}.schedule`, 'is required for a cron job');
  const expression = eventBridgeCron(schedule);
  if (!expression) notes.warn(`${cron.path}.schedule`, `${JSON.stringify(schedule)}: EventBridge cannot run this schedule as written (five fields, and not both a day of month and a day of week): cron job ${cron.renderName} is not converted; write a cron(...) expression in spec.compute.schedules by hand`);
  return expression;
}
