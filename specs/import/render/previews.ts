import { SECRET_LOOKING_ENV } from '../../validate.ts';
import type { BlueprintUnit } from './blueprint.ts';
import { isMap, scalar, type Notes, type Raw } from './notes.ts';
import { normalizePlan, SERVICE_PLANS } from './tables.ts';

// Render's pull-request previews as a terrace preview recipe (issue 17): the `terrace preview create` command line
// CI runs per pull request (the GitHub Actions example's preview job), printed in the report. What a preview
// cannot express is warned at its own path.

/** Top-level keys read here (`previews`, and the older pair). */
export const PREVIEW_TOP_LEVEL = ['previews', 'previewsEnabled', 'previewsExpireAfterDays'];
/** Service keys read here. */
export const PREVIEW_SERVICE_FIELDS = ['previews', 'previewPlan'];
/** Database keys read here. */
export const PREVIEW_DATABASE_FIELDS = ['previewPlan'];

const GENERATIONS = ['off', 'manual', 'automatic'];
/** terrace's longest --ttl (specs/preview.ts). */
const MAX_TTL_DAYS = 30;
/** Render deletes a preview after this many days without a push when the Blueprint says nothing. */
const DEFAULT_TTL = '72h';

interface Settings { path: string; generation?: string; ttl: string }

/** Adds the recipe to the report, for the first Environment (`documents[i]` is `units[i]`'s). */
export function previewRecipe(top: Raw, units: readonly BlueprintUnit[], documents: readonly Raw[], notes: Notes): void {
  const settings = topSettings(top, notes);
  const unit = units[0];
  const doc = documents[0];
  if (!unit || !doc) return;
  const sets = [...serviceSets(unit, doc, notes)];
  for (const db of unit.databases) {
    if (db.raw.previewPlan !== undefined) notes.map(`${db.path}.previewPlan`, 'a preview runs the smallest Aurora capacity (0.5 to 1 ACU, no reader) whatever the plan');
  }
  if (!settings && sets.length === 0) return;
  const { path, generation, ttl } = settings ?? { path: `${unit.services.find((s) => isMap(s.raw.previews) || s.raw.previewPlan !== undefined)?.path ?? 'services'}`, ttl: DEFAULT_TTL };
  if (generation === 'off') {
    notes.map(path, 'previews are off: no preview job (when wanted, see the README\'s Preview environments)');
    return;
  }
  const command = ['npx terrace preview create', unit.name, '--name pr-<number>', `--ttl ${ttl}`, ...sets.map((s) => `--set '${s}'`)].join(' ');
  const when = generation === 'manual' ? 'for a pull request someone asks a preview of (e.g. a label on it)' : 'for every pull request';
  notes.map(path, `previews -> ${when}, CI runs \`${command}\` (with --set "compute.services[<i>].image=<the pull request image>" for the image CI built), comments the URL it prints, and runs \`npx terrace preview delete pr-<number>\` when the pull request closes; the preview expires ${ttl} after its last push anyway (the GitHub Actions example's preview job; README: Preview environments)`);
}

/** `previews: {generation, expireAfterDays}`, or the older `previewsEnabled` / `previewsExpireAfterDays`. */
function topSettings(top: Raw, notes: Notes): Settings | undefined {
  if (isMap(top.previews)) {
    const { generation, expireAfterDays, ...rest } = top.previews;
    for (const key of Object.keys(rest)) notes.warn(`previews.${key}`, 'is not a previews field terrace knows: left out');
    return { path: 'previews', generation: generationOf(generation, 'previews.generation', notes), ttl: ttlOf(expireAfterDays, 'previews.expireAfterDays', notes) };
  }
  if (top.previews !== undefined) notes.warn('previews', 'must be a mapping with generation and expireAfterDays: left out');
  if (top.previewsEnabled === undefined && top.previewsExpireAfterDays === undefined) return undefined;
  const enabled = top.previewsEnabled === true || scalar(top.previewsEnabled) === 'true';
  return {
    path: top.previewsEnabled !== undefined ? 'previewsEnabled' : 'previewsExpireAfterDays',
    generation: enabled ? 'automatic' : 'off',
    ttl: ttlOf(top.previewsExpireAfterDays, 'previewsExpireAfterDays', notes),
  };
}

function generationOf(value: unknown, path: string, notes: Notes): string | undefined {
  if (value === undefined) return undefined;
  const text = scalar(value);
  if (text !== undefined && GENERATIONS.includes(text)) return text;
  notes.warn(path, `${JSON.stringify(value)} is not one of ${GENERATIONS.join(', ')}: read as automatic`);
  return undefined;
}

function ttlOf(value: unknown, path: string, notes: Notes): string {
  if (value === undefined) return DEFAULT_TTL;
  const days = Number(scalar(value));
  if (!Number.isInteger(days) || days < 1) {
    notes.warn(path, `${JSON.stringify(value)} is not a whole number of days: the recipe uses --ttl ${DEFAULT_TTL}`);
    return DEFAULT_TTL;
  }
  if (days > MAX_TTL_DAYS) notes.warn(path, `${days} days: a terrace preview lives at most ${MAX_TTL_DAYS}d per push or extension: the recipe uses --ttl ${MAX_TTL_DAYS}d`);
  return `${Math.min(days, MAX_TTL_DAYS)}d`;
}

/** Per-service preview settings as `--set` expressions on the emitted Environment's services. */
function* serviceSets(unit: BlueprintUnit, doc: Raw, notes: Notes): Generator<string> {
  const emitted = (((doc.spec as Raw).compute as Raw | undefined)?.services ?? []) as Raw[];
  for (const service of unit.services) {
    const index = emitted.findIndex((s) => s.name === service.name);
    const { raw, path } = service;
    const previews = isMap(raw.previews) ? raw.previews : undefined;
    if (raw.previews !== undefined && !previews) notes.warn(`${path}.previews`, 'must be a mapping (generation, plan, numInstances): left out');
    const settings: [string, unknown][] = [
      ...(raw.previewPlan !== undefined ? [['previewPlan', raw.previewPlan] as [string, unknown]] : []),
      ...Object.entries(previews ?? {}).map(([k, v]) => [`previews.${k}`, v] as [string, unknown]),
    ];
    for (const [field, value] of settings) {
      const at = `${path}.${field}`;
      if (index < 0) {
        notes.warn(at, `${service.renderName} is not a compute service in terrace: its preview settings are left out`);
        continue;
      }
      const base = `compute.services[${index}]`;
      if (field === 'previewPlan' || field === 'previews.plan') {
        const size = SERVICE_PLANS[normalizePlan(scalar(value) ?? '')];
        if (!size) notes.warn(at, `${JSON.stringify(value)} is not a Render plan terrace knows (${Object.keys(SERVICE_PLANS).join(', ')}): left out of the recipe`);
        else yield* [`${base}.cpu=${size.cpu}`, `${base}.memory=${size.memory}`];
      } else if (field === 'previews.numInstances') {
        const n = Number(scalar(value));
        if (!Number.isInteger(n) || n < 0 || n > 100) notes.warn(at, `${JSON.stringify(value)} is not a number of instances (0 to 100): left out of the recipe`);
        else yield `${base}.desiredCount=${n}`;
      } else if (field === 'previews.generation') {
        // A preview copies every service; one that Render leaves out runs no task in it.
        if (scalar(value) === 'off') yield `${base}.desiredCount=0`;
        else if (!GENERATIONS.includes(scalar(value) ?? '')) notes.warn(at, `${JSON.stringify(value)} is not one of ${GENERATIONS.join(', ')}: left out`);
      } else {
        notes.warn(at, 'is not a service previews field terrace knows: left out');
      }
    }
    if (index >= 0) yield* previewValues(service.raw, `${path}.envVars`, `compute.services[${index}]`, notes);
  }
}

/** `envVars[].previewValue`: the value a preview uses instead, as `--set ...env.KEY=value` (never a secret). */
function* previewValues(raw: Raw, path: string, base: string, notes: Notes): Generator<string> {
  if (!Array.isArray(raw.envVars)) return;
  for (const [i, entry] of raw.envVars.entries()) {
    if (!isMap(entry) || entry.previewValue === undefined) continue;
    const key = scalar(entry.key);
    const value = scalar(entry.previewValue);
    const at = `${path}[${i}].previewValue`;
    if (key === undefined || value === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) notes.warn(at, 'needs a key and a string value: left out');
    else if (SECRET_LOOKING_ENV.test(key)) notes.warn(at, `${key} looks like a secret: not put in the recipe; give previews a Secrets Manager secret of their own with --set '${base}.secrets.${key}=<secret name>'`);
    else if (/['\n]/.test(value)) notes.warn(at, `${key}: a value with a quote or a newline is left out of the recipe's command line; add --set '${base}.env.${key}=...' yourself`);
    else yield `${base}.env.${key}=${textLiteral(value)}`;
  }
}

/** `--set` reads JSON as JSON: a value that would parse (`8080`, `true`) is quoted to stay text. */
function textLiteral(value: string): string {
  try {
    JSON.parse(value);
    return JSON.stringify(value);
  } catch {
    return value;
  }
}
