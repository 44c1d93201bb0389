import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT, run } from './exit-codes.ts';
import { serialize, type Output } from './format.ts';

interface ImportOptions {
  target: string;
  name?: string;
  imageRegistry?: string;
  output: Output;
}

// `terrace import render <render.yaml>`: Environments on stdout, the report on stderr. Offline.
export function registerImport(program: Command): void {
  const command = program.command('import').description('convert another platform\'s configuration into terrace documents (offline)');
  command
    .command('render <blueprint>')
    .description('turn a Render Blueprint (render.yaml) into Environment documents on stdout, with a report of what did not carry over on stderr (exit 1: not a Blueprint)')
    .requiredOption('--target <target>', 'the Target the Environments go to')
    .option('--name <name>', 'the Environment name (flat layout), or the prefix of <name>-<environment> (projects)')
    .option('--image-registry <registry>', 'where images of services Render built from source are pushed: <registry>/<service>:latest')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .action(run(importRender));
}

async function importRender(file: string, { target, name, imageRegistry, output }: ImportOptions): Promise<number> {
  if (output !== 'yaml' && output !== 'json') throw new Error(`--output must be yaml or json (got ${output})`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const { ValidationError } = await import('../specs/validate.ts');
  const { importRenderBlueprint } = await import('../specs/import/render/convert.ts');
  try {
    const result = importRenderBlueprint(text, { target, name, imageRegistry, source: file });
    const docs = result.documents;
    console.log(output === 'json' ? await serialize(docs, 'json') : (await Promise.all(docs.map((d) => serialize(d, 'yaml')))).join('\n---\n'));
    for (const m of result.mapped) console.error(`mapped   ${m.path}: ${m.message}`);
    for (const w of result.warnings) console.error(`warning  ${w.path}: ${w.message}`);
    console.error(`${docs.length} Environment(s), ${result.mapped.length} mapped, ${result.warnings.length} warning(s)`);
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    for (const p of err.problems) console.error(`error: ${p.path}: ${p.message}`);
    return EXIT.failed;
  }
}
