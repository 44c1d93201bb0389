// `npm run bench`: runs every bench/*.bench.ts (default export returning lines) and prints ratios.
// Benchmarks print; they assert nothing. Run them on a quiet machine for numbers worth comparing.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchLine } from './synth.bench.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();

for (const file of files) {
  const { default: bench } = (await import(`./${file}`)) as { default: () => Promise<BenchLine[]> };
  console.log(`\n${file}`);
  for (const line of await bench()) {
    const value = line.unit === 'MiB' ? `${line.ms} MiB` : `${line.ms.toFixed(1)} ms`;
    const ratio = line.baseline ? `  vs ${line.baseline.name} ${line.baseline.ms.toFixed(1)} ms: ${(line.ms / line.baseline.ms).toFixed(3)}x` : '';
    console.log(`  ${line.name}: ${value}${ratio}${line.note ? `  (${line.note})` : ''}`);
  }
}
