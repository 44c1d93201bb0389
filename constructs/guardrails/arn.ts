/** `*` and `?` match anything; an ARN field made of them only names no particular thing. */
const WILDCARD_ONLY = /^[*?]+$/;
// The resource part may nest wildcards with `/` and `:` (all objects of all buckets): still nothing in particular.
const WILDCARD_PATH = /^[*?/:]*[*?][*?/:]*$/;

/**
 * Whether a policy Resource (or an aws:SourceArn value) names every resource rather than some: `*`, or an ARN
 * whose partition, service, region or account is a wildcard, or whose whole resource part is one.
 * `arn:aws:logs:r:a:log-group:name:*`, `...:secret:name-??????` or `${x.arn}:*` stay scoped.
 */
export function isWildcardResource(value: string): boolean {
  if (WILDCARD_ONLY.test(value)) return true;
  // An interpolation is one opaque value: a `:` inside `${...}` must not split fields.
  const text = value.replace(/\$\{[^}]*\}/g, 'x');
  if (!text.startsWith('arn:')) return false;
  const [, partition = '', service = '', region = '', account = '', ...resource] = text.split(':');
  return [partition, service, region, account].some((f) => /[*?]/.test(f)) || WILDCARD_PATH.test(resource.join(':'));
}

/**
 * `*`, or an ARN whose partition, region or account is a wildcard: reaches past one account and region. A wildcard
 * service (`arn:aws:*:eu-west-1:111111111111:*`) stays in them; the actions name the services.
 */
export function spansAccounts(value: string): boolean {
  if (WILDCARD_ONLY.test(value)) return true;
  const text = value.replace(/\$\{[^}]*\}/g, 'x');
  if (!text.startsWith('arn:')) return false;
  const [, partition = '', , region = '', account = ''] = text.split(':');
  return [partition, region, account].some((f) => /[*?]/.test(f));
}
