import type { Construct } from 'constructs';
import type { Tier } from '../../specs/environment.ts';
import type { TierInputs, TierOutputs } from '../core/inputs.ts';
import { addOutputs } from '../core/outputs.ts';
import type { TierStack } from '../core/tier-stack.ts';
import { computeModel } from '../model/compute.ts';
import type { ModelContext } from '../model/context.ts';
import { dataModel } from '../model/data.ts';
import { escapeDeep } from '../model/escape.ts';
import { frontendModel } from '../model/frontend.ts';
import { networkModel } from '../model/network.ts';
import { observabilityModel } from '../model/observability.ts';
import { tierOutputNames } from '../model/outputs.ts';
import { AwsCompute } from './compute/index.ts';
import { AwsData } from './data/index.ts';
import { AwsFrontend } from './frontend/index.ts';
import { AwsNetwork } from './network/index.ts';
import { AwsObservability } from './observability/index.ts';
import { awsTierStack } from './stack.ts';

/** A tier for an AWS target: provider, S3 state, the tier's constructs and its outputs. */
export function buildAwsStack(root: Construct, ctx: ModelContext, tier: Tier, given?: Partial<Record<Tier, TierOutputs>>): TierStack {
  const { stack, inputs } = awsTierStack(root, ctx, tier, given);
  addOutputs(stack, tierOutputNames(ctx, tier), build(stack, ctx, tier, inputs));
  return stack;
}

function build(stack: TierStack, ctx: ModelContext, tier: Tier, inputs: TierInputs): Record<string, unknown> {
  // Models are escaped once here: every user string below reaches AWS literally.
  switch (tier) {
    case 'network':
      return new AwsNetwork(stack, 'network', { model: escapeDeep(networkModel(ctx)) }).outputs;
    case 'data':
      return new AwsData(stack, 'data', { model: escapeDeep(dataModel(ctx)), inputs }).outputs;
    case 'compute':
      return new AwsCompute(stack, 'compute', { ctx, model: escapeDeep(computeModel(ctx)), inputs }).outputs;
    case 'frontend':
      return new AwsFrontend(stack, 'frontend', { model: escapeDeep(frontendModel(ctx)) }).outputs;
    case 'observability':
      return new AwsObservability(stack, 'observability', { ctx, model: escapeDeep(observabilityModel(ctx)), inputs }).outputs;
  }
}
