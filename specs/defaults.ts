import type { TSchema } from '@sinclair/typebox';

/**
 * Fills the schema's defaults into `value` (in place) where a field is absent, and nowhere else.
 *
 * TypeBox's Value.Default merges an object default into any object it finds, so `queues: {name: orders}`
 * became `queues: []` (an array is an object) and the controller destroyed the queues. Here a value that is
 * present, of any type, is left exactly as given, for the schema check to reject by its path.
 */
export function fillDefaults(schema: TSchema, value: unknown): void {
  if (isPlainObject(value)) {
    for (const [key, property] of Object.entries((schema.properties ?? {}) as Record<string, TSchema>)) {
      if (!Object.hasOwn(value, key) && 'default' in property) value[key] = structuredClone(property.default);
      if (Object.hasOwn(value, key)) fillDefaults(property, value[key]);
    }
    // A record's values (env maps, labels) share one schema.
    const [entries] = Object.values((schema.patternProperties ?? {}) as Record<string, TSchema>);
    if (entries) for (const key of Object.keys(value)) fillDefaults(entries, value[key]);
  } else if (Array.isArray(value) && schema.items && !Array.isArray(schema.items)) {
    for (const item of value) fillDefaults(schema.items as TSchema, item);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
