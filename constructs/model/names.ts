import { createHash } from 'node:crypto';

/**
 * AWS caps names (target groups 32, ElastiCache 40, IAM roles 64, SQS 80): a name that does not fit keeps
 * its head and ends with a short hash of the whole, so it stays unique and stable across synths.
 */
export function fitName(name: string, max: number, suffix = ''): string {
  if (name.length + suffix.length <= max) return name + suffix;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  const head = name.slice(0, max - suffix.length - hash.length - 1).replace(/-+$/, '');
  return `${head}-${hash}${suffix}`;
}

/** `<env>-<tier>-<parts...>`, the naming scheme of every resource terrace creates. */
export function resourceName(env: string, tier: string, ...parts: string[]): string {
  return [env, tier, ...parts].filter((p) => p !== '').join('-');
}

/** `DJANGO-queue.x` -> `DJANGO_QUEUE_X`: an environment variable name from a free-form name. */
export function envVarName(...parts: string[]): string {
  return parts.join('_').toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}
