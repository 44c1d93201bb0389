import type { Tier } from '../../specs/environment.ts';
import { computeModel } from '../model/compute.ts';
import type { ModelContext } from '../model/context.ts';
import { dataModel } from '../model/data.ts';
import { escapeDeep } from '../model/escape.ts';
import { frontendModel } from '../model/frontend.ts';
import { networkModel } from '../model/network.ts';
import { observabilityModel } from '../model/observability.ts';
import { tierOutputNames } from '../model/outputs.ts';
import type { TierInputs } from './inputs.ts';
import { addOutputs } from './outputs.ts';
import type { TierStack } from './tier-stack.ts';

const MODELS = { network: networkModel, data: dataModel, compute: computeModel, frontend: frontendModel, observability: observabilityModel } satisfies Record<Tier, (ctx: ModelContext) => unknown>;
type TierModel<T extends Tier> = ReturnType<(typeof MODELS)[T]>;

/** How one kind of target builds each tier's constructs from the tier's model; returns the tier's outputs. */
export type TierBuilders = {
  [T in Tier]: (stack: TierStack, props: { ctx: ModelContext; model: TierModel<T>; inputs: TierInputs }) => Record<string, unknown>;
};

/** Builds `tier` into `stack` with the target's builders and declares the tier's outputs. */
export function buildTier(stack: TierStack, ctx: ModelContext, tier: Tier, inputs: TierInputs, builders: TierBuilders): void {
  // Models are escaped once here: every user string below reaches terraform literally.
  const model = escapeDeep(MODELS[tier](ctx));
  const build = builders[tier] as (stack: TierStack, props: { ctx: ModelContext; model: unknown; inputs: TierInputs }) => Record<string, unknown>;
  addOutputs(stack, tierOutputNames(ctx, tier), build(stack, { ctx, model, inputs }));
}
