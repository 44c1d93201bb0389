import type { SynthInput, SynthesizedTier } from '../constructs/index.ts';
import { stableStringify } from '../specs/store/stable-json.ts';
import { sha256 } from './workdirs.ts';

export type Synthesize = (input: SynthInput) => SynthesizedTier;

/**
 * Synthesis is pure, so equal inputs give equal stacks: a resync with nothing new costs a hash, not a synth.
 * Least recently used entries go first.
 */
export function cachedSynthesize(synthesize: Synthesize, maxEntries = 500): Synthesize {
  const cache = new Map<string, SynthesizedTier>();
  return (input) => {
    const key = sha256(
      stableStringify({ metadata: { name: input.environment.metadata.name, labels: input.environment.metadata.labels }, spec: input.environment.spec, target: input.target.spec, targetName: input.target.metadata.name, tier: input.tier, inputs: input.inputs ?? {} }),
    );
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const result = synthesize(input);
    cache.set(key, result);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return result;
  };
}
