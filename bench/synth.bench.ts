// Synthesis cost, each figure against a baseline measured in the same run on the same machine:
// (a) a warm in-process five-tier AWS synth per environment vs importing the @cdktf/provider-aws barrel once;
// (b) the whole `terrace synth` process vs an empty node process and a process that only imports the barrel.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from '../specs/environment.ts';
import { loadDocuments } from '../specs/load.ts';
import type { Target } from '../specs/target.ts';

export interface BenchLine {
  name: string;
  /** Milliseconds, or MiB when unit says so. */
  ms: number;
  unit?: 'ms' | 'MiB';
  baseline?: { name: string; ms: number };
  note?: string;
}

const repo = fileURLToPath(new URL('../', import.meta.url));
const EXAMPLES = 'specs/examples/staging-prod.yaml';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall time of a child process, median of `runs`; its stdout of the last run. */
function wall(args: string[], runs: number): { ms: number; stdout: string } {
  const times: number[] = [];
  let stdout = '';
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8' });
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    stdout = r.stdout;
  }
  return { ms: median(times), stdout };
}

const BARREL = ['--input-type=module', '-e', "await import('@cdktf/provider-aws'); console.log(Math.round(process.resourceUsage().maxRSS / 1024))"];

export default async function bench(): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const barrel = wall(BARREL, 2);
  const barrelLine = { name: 'import the @cdktf/provider-aws barrel (child process)', ms: barrel.ms };

  // (a) in process, warm
  const t0 = performance.now();
  const { synthesizeEnvironment } = await import('../constructs/index.ts');
  const importMs = performance.now() - t0;
  lines.push({ name: 'import constructs/ (deep provider paths), cold, in process', ms: importMs, baseline: barrelLine });
  const docs = loadDocuments(readFileSync(join(repo, EXAMPLES), 'utf8'), EXAMPLES);
  const targets = new Map(docs.filter((d): d is Target => d.kind === 'Target').map((t) => [t.metadata.name, t]));
  for (const env of docs.filter((d): d is Environment => d.kind === 'Environment')) {
    const target = targets.get(env.spec.target)!;
    for (let i = 0; i < 3; i++) synthesizeEnvironment(env, target);
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      synthesizeEnvironment(env, target);
      times.push(performance.now() - t);
    }
    lines.push({ name: `synthesize ${env.metadata.name} (5 AWS tiers), warm, in process`, ms: median(times), baseline: barrelLine });
  }
  lines.push({
    name: 'rss after the in-process synths',
    ms: Math.round(process.memoryUsage().rss / 2 ** 20),
    unit: 'MiB',
    note: `barrel child max rss ${barrel.stdout.trim()} MiB`,
  });

  // (b) whole process
  const out = mkdtempSync(join(tmpdir(), 'terrace-bench-'));
  try {
    const empty = wall(['-e', ''], 3);
    const synth = wall(['cli/terrace.mjs', 'synth', '-f', EXAMPLES, '--out', out], 3);
    lines.push({ name: '`terrace synth` staging-prod.yaml (10 stacks), process wall', ms: synth.ms, baseline: { name: '`node -e ""`', ms: empty.ms } });
    lines.push({ name: '`terrace synth` staging-prod.yaml (10 stacks), process wall', ms: synth.ms, baseline: { name: 'a process importing only the barrel', ms: barrel.ms } });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return lines;
}
