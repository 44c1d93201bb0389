// Documents from the read cache are frozen and replaced whole when they change, so the JSON text of one can be
// kept beside it: a page of 100 environments (~600 KB) is then joined, not serialized again (the schema-driven
// serializer took ~25 ms a page, JSON.stringify ~5 ms). Keyed on the frozen `metadata` and `status` objects:
// a new spec or status is a new object, never a stale text. Documents answer as stored (see stored-json.ts).
const texts = new WeakMap<object, { status: unknown; text: string }>();

/** The JSON text of a stored document; remembered when it came from the read cache (frozen). */
export function documentJson(doc: { metadata: object; status?: unknown }): string {
  if (!Object.isFrozen(doc.metadata)) return JSON.stringify(doc);
  const known = texts.get(doc.metadata);
  if (known && known.status === doc.status) return known.text;
  const text = JSON.stringify(doc);
  texts.set(doc.metadata, { status: doc.status, text });
  return text;
}

/** A page of documents as its JSON text, built from each document's remembered text. */
export function pageJson(page: { items: { metadata: object; status?: unknown }[]; continue?: string }): string {
  const items = page.items.map((doc) => documentJson(doc)).join(',');
  return `{"items":[${items}]${page.continue !== undefined ? `,"continue":${JSON.stringify(page.continue)}` : ''}}`;
}
