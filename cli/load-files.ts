import { readFileSync } from 'node:fs';
import { loadDocuments } from '../specs/load.ts';
import { ValidationError, type AnyDocument, type Problem } from '../specs/validate.ts';

/** Every document of every file, or every problem (with file and path) when any is invalid or unreadable. */
export function loadFiles(files: string[]): { docs: AnyDocument[] } | { problems: Problem[] } {
  const docs: AnyDocument[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    try {
      docs.push(...loadDocuments(readFileSync(file, 'utf8'), file));
    } catch (err) {
      if (err instanceof ValidationError) problems.push(...err.problems);
      else problems.push({ path: file, message: (err as Error).message });
    }
  }
  return problems.length > 0 ? { problems } : { docs };
}
