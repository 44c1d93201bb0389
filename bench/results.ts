// The shared writer of bench/results/latest.json: each bench records its figures by name; figures of other
// benches already in the file stay, and the machine they ran on is written with them.
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_FILE = fileURLToPath(new URL('./results/latest.json', import.meta.url));

export interface Figure {
  /** Unique across benches: the key figures are merged by. */
  name: string;
  value: number;
  /** `req/s`, `ms`, `MiB`, `reads/s`, `x`... */
  unit: string;
  /** What the figure is compared with, in the same run. */
  baseline?: { name: string; value: number; unit: string };
  /** value / baseline.value (or as the bench defines it, then say so in `note`). */
  ratio?: number;
  /** The goal as a person reads it, e.g. `p99 < 20 ms` or `ratio >= 0.30`. */
  target?: string;
  holds?: boolean;
  note?: string;
  /** The bench file that measured it. */
  bench?: string;
}

export interface Results {
  machine: { cpus: number; cpuModel: string; memoryMiB: number; node: string; platform: string };
  figures: Record<string, Figure & { at: string; loadAverage: number[] }>;
}

function machine(): Results['machine'] {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryMiB: Math.round(totalmem() / 2 ** 20), node: process.version, platform: `${process.platform}-${process.arch}` };
}

export function readResults(file = RESULTS_FILE): Results {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Results;
  } catch {
    return { machine: machine(), figures: {} };
  }
}

/** Merges figures by name into the results file (written whole through a rename, so a reader never sees half). */
export function recordFigures(figures: Figure[], file = RESULTS_FILE): Results {
  const results = readResults(file);
  results.machine = machine();
  const at = new Date().toISOString();
  const loadAverage = loadavg().map((l) => Math.round(l * 100) / 100);
  for (const figure of figures) results.figures[figure.name] = { ...figure, at, loadAverage };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return results;
}

/** One line for the console: the figure, its baseline, the ratio and whether the target holds. */
export function describeFigure(f: Figure): string {
  const num = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  const base = f.baseline ? `  vs ${f.baseline.name} ${num(f.baseline.value)} ${f.baseline.unit}` : '';
  const ratio = f.ratio !== undefined ? `: ${f.ratio.toFixed(3)}x` : '';
  const target = f.target ? `  [target ${f.target}: ${f.holds ? 'holds' : 'MISSED'}]` : '';
  return `${f.name}: ${num(f.value)} ${f.unit}${base}${ratio}${target}${f.note ? `  (${f.note})` : ''}`;
}
