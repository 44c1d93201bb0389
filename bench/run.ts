// `npm run bench`: runs every bench/*.bench.ts (default export returning lines) in a process of its own,
// so that one bench's imports never warm another's "cold" numbers, and prints ratios.
// Benchmarks print; they assert nothing. Run them on a quiet machine for numbers worth comparing.
// A bench returns either BenchLines (printed only) or Figures (results.ts: printed, and merged by name into
// bench/results/latest.json with the machine and load average); `npm run bench -- api.bench.ts` runs one.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeFigure, recordFigures, RESULTS_FILE, type Figure } from './results.ts';
import { updateReadme } from './table.ts';
import type { BenchLine } from './synth.bench.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];

const isFigure = (line: BenchLine | Figure): line is Figure => 'value' in line;

if (only) {
  const { default: bench } = (await import(`./${only}`)) as { default: () => Promise<(BenchLine | Figure)[]> };
  console.log(`\n${only}`);
  const lines = await bench();
  for (const line of lines) {
    if (isFigure(line)) {
      console.log(`  ${describeFigure(line)}`);
      continue;
    }
    const value = line.unit === 'MiB' ? `${line.ms} MiB` : `${line.ms.toFixed(1)} ms`;
    const ratio = line.baseline ? `  vs ${line.baseline.name} ${line.baseline.ms.toFixed(1)} ms: ${(line.ms / line.baseline.ms).toFixed(3)}x` : '';
    console.log(`  ${line.name}: ${value}${ratio}${line.note ? `  (${line.note})` : ''}`);
  }
  const figures = lines.filter(isFigure);
  if (figures.length > 0) {
    updateReadme(recordFigures(figures.map((f) => ({ bench: only, ...f }))));
    console.log(`  (recorded in ${RESULTS_FILE}, table in bench/README.md)`);
  }
} else {
  let failed = false;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort()) {
    const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), file], { stdio: 'inherit' });
    failed ||= run.status !== 0;
  }
  process.exitCode = failed ? 1 : 0;
}
