import type { SynthInput, SynthesizedTier } from '../constructs/index.ts';

type Constructs = typeof import('../constructs/index.ts');
let loading: Promise<Constructs> | undefined;

/**
 * The constructs (cdktf and the AWS provider bindings, ~110 MiB resident) load on the first synthesis, not at
 * start: a control plane whose environments are at rest may never need them.
 */
export const loadConstructs = (): Promise<Constructs> =>
  // A failed load is not kept: the next synthesis tries again rather than failing until a restart.
  (loading ??= import('../constructs/index.ts').catch((err: unknown) => {
    loading = undefined;
    throw err;
  }));

export const synthesizeTierLazily = async (input: SynthInput): Promise<SynthesizedTier> => (await loadConstructs()).synthesizeTier(input);

export const synthesizeTeardownLazily = async (input: Omit<SynthInput, 'inputs'>): Promise<string> => (await loadConstructs()).synthesizeTeardown(input);
