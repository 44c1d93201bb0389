import { parseAllDocuments } from 'yaml';
import { parseDocument, ValidationError, type AnyDocument } from './validate.ts';

/**
 * Parses YAML or JSON text holding one or more documents (`---` separated, or a JSON array)
 * and validates each (as any stored kind, or with `parse`). Problems name the document by its position: `[1].spec.network.cidr`.
 */
export function loadDocuments<T = AnyDocument>(text: string, source = 'input', parse: (value: unknown) => T = parseDocument as (value: unknown) => T): T[] {
  const raw = parseAllDocuments(text).flatMap((doc, i) => {
    if (doc.errors.length > 0) {
      throw new ValidationError(doc.errors.map((e) => ({ path: `${source}#${i + 1}`, message: e.message.split('\n')[0] })));
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) return [];
    return Array.isArray(value) ? value : [value];
  });
  const docs: T[] = [];
  const problems = raw.flatMap((value, i) => {
    try {
      docs.push(parse(value));
      return [];
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const where = raw.length > 1 ? `${source}#${i + 1} ` : `${source} `;
      return err.problems.map((p) => ({ path: `${where}${p.path}`.trim(), message: p.message }));
    }
  });
  if (problems.length > 0) throw new ValidationError(problems);
  return docs;
}
