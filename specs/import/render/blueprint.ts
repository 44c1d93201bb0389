import { parseDocument } from 'yaml';
import { ValidationError } from '../../validate.ts';
import { isMap, listAt, scalar, toName, type Notes, type Raw } from './notes.ts';
import { normalizeType } from './env-vars.ts';
import { warnUnhandled } from './fields.ts';
import { PREVIEW_TOP_LEVEL } from './previews.ts';
import { runtimeOf } from './services.ts';
import { SERVICE_TYPES, type BlueprintDatabase, type BlueprintGroup, type BlueprintService, type ServiceKind } from './scope.ts';

/** Where a unit's own notes go: its `projects[i].environments[j]`, or `(file)` for the flat layout. */
export function unitPath(unit: BlueprintUnit): string {
  return unit.prefix ? unit.prefix.slice(0, -1) : '(file)';
}

/** One Render environment before conversion: the flat file, or one `projects[].environments[]` entry. */
export interface BlueprintUnit {
  /** `''` for the flat layout, else `projects[0].environments[1].` (paths of its parts start with it). */
  readonly prefix: string;
  readonly name: string;
  readonly services: BlueprintService[];
  readonly databases: BlueprintDatabase[];
  readonly groups: BlueprintGroup[];
}

const TOP_LEVEL = ['services', 'databases', 'envVarGroups', 'projects', 'version', ...PREVIEW_TOP_LEVEL];
const ENVIRONMENT_FIELDS = ['name', 'services', 'databases', 'envVarGroups'];

/** The YAML text as a mapping; a YAML error names its line, a non-Blueprint says what was expected. */
export function readBlueprint(text: string, source: string): Raw {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ValidationError(doc.errors.map((e) => ({
      path: `${source}:${e.linePos?.[0].line ?? 1}:${e.linePos?.[0].col ?? 1}`,
      message: `not valid YAML: ${e.message.split('\n')[0].replace(/ at line [0-9]+, column [0-9]+:?$/, '')}`,
    })));
  }
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (!isMap(value) || !['services', 'databases', 'projects'].some((k) => k in value)) {
    throw new ValidationError([{ path: source, message: `is not a Render Blueprint: expected a mapping with services, databases or projects at the top level (got ${isMap(value) ? `keys ${Object.keys(value).join(', ') || 'none'}` : describeTop(value)})` }]);
  }
  return value;
}

/** The Render environments of a Blueprint, each with its services, databases and groups classified. */
export function blueprintUnits(top: Raw, name: string | undefined, notes: Notes): BlueprintUnit[] {
  warnUnhandled(top, '', TOP_LEVEL, notes);
  const topGroups = groups(top, '', notes);
  const units: BlueprintUnit[] = [];
  if (top.services !== undefined || top.databases !== undefined) {
    const services = classify(listAt(top, 'services', 'services', notes), 'services', notes);
    const first = services.find((s) => s.kind === 'web') ?? services[0];
    units.push({ prefix: '', name: toName(name ?? first?.renderName ?? 'render', 'render'), services, databases: databases(top, '', notes), groups: topGroups });
  }
  listAt(top, 'projects', 'projects', notes).forEach((project, i) => {
    const at = `projects[${i}]`;
    if (!isMap(project)) return notes.error(at, 'must be a mapping with name and environments');
    for (const key of Object.keys(project)) if (!['name', 'environments'].includes(key)) notes.warn(`${at}.${key}`, 'is not a project field: left out');
    listAt(project, 'environments', `${at}.environments`, notes).forEach((env, j) => {
      const prefix = `${at}.environments[${j}].`;
      if (!isMap(env)) return notes.error(prefix.slice(0, -1), 'must be a mapping with name and services');
      const envName = scalar(env.name) ?? `env${j}`;
      for (const key of Object.keys(env)) if (!ENVIRONMENT_FIELDS.includes(key)) notes.warn(`${prefix}${key}`, 'is not carried over (per-environment settings are spec fields: see the report)');
      units.push({
        prefix,
        name: toName(`${name ?? scalar(project.name) ?? 'render'}-${envName}`, 'render'),
        services: classify(listAt(env, 'services', `${prefix}services`, notes), `${prefix}services`, notes),
        databases: databases(env, prefix, notes),
        groups: [...groups(env, prefix, notes), ...topGroups],
      });
    });
  });
  return units;
}

function classify(list: unknown[], at: string, notes: Notes): BlueprintService[] {
  const out: BlueprintService[] = [];
  list.forEach((raw, i) => {
    const path = `${at}[${i}]`;
    if (!isMap(raw)) return notes.error(path, 'must be a mapping with type and name');
    const type = scalar(raw.type);
    const renderName = scalar(raw.name);
    if (!renderName) return notes.error(`${path}.name`, 'is required');
    if (!type || !(SERVICE_TYPES as readonly string[]).includes(type)) {
      return notes.error(`${path}.type`, `${JSON.stringify(raw.type)} is not a service type (one of ${SERVICE_TYPES.join(', ')}; a static site is type web with runtime static)`);
    }
    const kind: ServiceKind = type === 'web' && runtimeOf(raw) === 'static' ? 'static' : (normalizeType(type) as ServiceKind);
    const name = toName(renderName, kind === 'keyvalue' ? 'cache' : 'svc');
    if (out.some((s) => s.renderName === renderName)) return notes.error(`${path}.name`, `duplicate service name ${renderName}`);
    if (out.some((s) => s.name === name)) return notes.error(`${path}.name`, `${renderName} becomes ${name}, like another service: rename one`);
    out.push({ path, raw, renderName, name, kind });
  });
  return out;
}

function databases(parent: Raw, prefix: string, notes: Notes): BlueprintDatabase[] {
  return listAt(parent, 'databases', `${prefix}databases`, notes).flatMap((raw, i) => {
    const path = `${prefix}databases[${i}]`;
    const renderName = isMap(raw) ? scalar(raw.name) : undefined;
    if (!isMap(raw) || !renderName) return notes.error(path, 'must be a mapping with a name'), [];
    return [{ path, raw, renderName }];
  });
}

function groups(parent: Raw, prefix: string, notes: Notes): BlueprintGroup[] {
  return listAt(parent, 'envVarGroups', `${prefix}envVarGroups`, notes).flatMap((raw, i) => {
    const path = `${prefix}envVarGroups[${i}]`;
    const renderName = isMap(raw) ? scalar(raw.name) : undefined;
    if (!isMap(raw) || !renderName) return notes.error(path, 'must be a mapping with name and envVars'), [];
    return [{ path, raw, renderName, name: toName(renderName, 'group') }];
  });
}

function describeTop(value: unknown): string {
  if (value === null || value === undefined) return 'an empty file';
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}
