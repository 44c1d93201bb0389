import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuardrailViolation, SynthInput, SynthesizedTier } from '../constructs/index.ts';
import { stableStringify } from '../specs/store/stable-json.ts';
import { sha256 } from './workdirs.ts';

/** Synthesis, sync or loaded on first use (the constructs and the AWS provider bindings weigh ~110 MiB). */
export type Synthesize = (input: SynthInput) => SynthesizedTier | Promise<SynthesizedTier>;

/** What a pass needs of a tier's stack: its hash to decide, its JSON only once terraform is to run. */
export interface TierStack {
  hash: string;
  resourceCount: number;
  violations: GuardrailViolation[];
  json(): Promise<string>;
}

interface Summary {
  hash: string;
  resourceCount: number;
  violations: GuardrailViolation[];
}

export interface StackCacheOptions {
  maxSummaries?: number;
  maxStacks?: number;
  /**
   * Where a tier's summary is kept on disk (its working directory), with the fingerprint of the code that made it
   * (`codeFingerprint`): after a restart, an environment at rest is known unchanged without loading the
   * constructs. Without a fingerprint nothing is kept on disk.
   */
  disk?: { dir: (environment: string, tier: string) => string; fingerprint?: string };
}

const SUMMARY_FILE = '.terrace-stack-summary.json';

/**
 * Synthesis is pure, so equal inputs give equal stacks: a resync with nothing new costs a key, not a synth.
 * Environments at rest keep only a summary (hash, counts: ~200 bytes) per tier; full stacks (10-20 KB each) are
 * kept for the few most recent syntheses, which is what a pass about to run terraform asks for next.
 * Least recently used entries go first.
 */
export class StackCache {
  private readonly summaries = new Map<string, Summary>();
  private readonly stacks = new Map<string, string>();
  /** Syntheses run (misses), for tests and benches. */
  synthesized = 0;

  private readonly maxSummaries: number;
  private readonly maxStacks: number;

  constructor(
    private readonly synthesize: Synthesize,
    private readonly options: StackCacheOptions = {},
  ) {
    this.maxSummaries = options.maxSummaries ?? 20_000;
    this.maxStacks = options.maxStacks ?? 16;
  }

  async get(input: SynthInput): Promise<TierStack> {
    const key = inputKey(input);
    const hit = this.summaries.get(key) ?? this.fromDisk(key, input);
    if (hit) {
      touch(this.summaries, key, hit);
      evict(this.summaries, this.maxSummaries);
      return { ...hit, json: () => this.json(key, input) };
    }
    const json = await this.run(key, input);
    const summary = this.summaries.get(key)!;
    return { ...summary, json: async () => json };
  }

  private summaryFile(input: SynthInput): string | undefined {
    const disk = this.options.disk;
    return disk?.fingerprint ? join(disk.dir(input.environment.metadata.name, input.tier), SUMMARY_FILE) : undefined;
  }

  private fromDisk(key: string, input: SynthInput): Summary | undefined {
    const file = this.summaryFile(input);
    if (!file || !existsSync(file)) return undefined;
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Summary & { key: string; fingerprint: string };
      if (saved.key !== key || saved.fingerprint !== this.options.disk!.fingerprint) return undefined;
      return { hash: saved.hash, resourceCount: saved.resourceCount, violations: saved.violations };
    } catch {
      return undefined; // unreadable: synthesize again
    }
  }

  private toDisk(key: string, input: SynthInput, summary: Summary): void {
    const file = this.summaryFile(input);
    if (!file) return;
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify({ key, fingerprint: this.options.disk!.fingerprint, ...summary }));
  }

  private async json(key: string, input: SynthInput): Promise<string> {
    const kept = this.stacks.get(key);
    if (kept !== undefined) return kept;
    return this.run(key, input);
  }

  private async run(key: string, input: SynthInput): Promise<string> {
    const result = await this.synthesize(input);
    this.synthesized++;
    const summary = { hash: sha256(result.json), resourceCount: result.resourceCount, violations: result.violations };
    touch(this.summaries, key, summary);
    touch(this.stacks, key, result.json);
    this.toDisk(key, input, summary);
    evict(this.summaries, this.maxSummaries);
    evict(this.stacks, this.maxStacks);
    return result.json;
  }

  /** Entries held, for memory checks. */
  get size(): { summaries: number; stacks: number } {
    return { summaries: this.summaries.size, stacks: this.stacks.size };
  }
}

/** The Reconciler's synthesis: shared cached one when given one, else a cache of its own around the function. */
export function cachedSynthesize(synthesize: Synthesize, options?: StackCacheOptions): StackCache {
  return new StackCache(synthesize, options);
}

/** Everything synthesis reads: the environment's name, labels and spec, the target, the tier and its inputs. */
function inputKey(input: SynthInput): string {
  const { environment: env, target, tier, inputs } = input;
  return sha256(stableStringify({ metadata: { name: env.metadata.name, labels: env.metadata.labels }, spec: env.spec, target: target.spec, targetName: target.metadata.name, tier, inputs: inputs ?? {} }));
}

function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
}

function evict<V>(map: Map<string, V>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value!);
}
