/** Reading a parsed cdk.tf.json: what every rule family needs. */

export interface GuardrailViolation {
  rule: string;
  address: string;
  message: string;
}

export type Block = Record<string, any>;
export interface TfStack {
  resource?: Record<string, Record<string, Block>>;
  '//'?: { terrace?: { tier?: string; provider?: string; cloudtrail?: boolean } };
}

/** `[address, config]` of every resource of the given types. */
export function resourcesOf(stack: TfStack, ...types: string[]): [string, Block, string][] {
  return types.flatMap((type) => Object.entries(stack.resource?.[type] ?? {}).map(([name, config]) => [`${type}.${name}`, config, name] as [string, Block, string]));
}

/** Terraform JSON allows a nested block as one object or a list of them. */
export function blocks(value: unknown): Block[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as Block[];
}

export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Whether an expression points at the given resource: `${aws_s3_bucket.site.id}` refers to `aws_s3_bucket.site`. */
export function refersTo(expression: unknown, address: string): boolean {
  return typeof expression === 'string' && new RegExp(`\\$\\{${address.replace(/\./g, '\\.')}\\.`).test(expression);
}

/** Terraform booleans may arrive as strings (`"true"`) for attributes typed as strings. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

export function violation(rule: string, address: string, message: string): GuardrailViolation {
  return { rule, address, message };
}
