import type { Construct } from 'constructs';
import type { Tier } from '../../specs/environment.ts';
import { buildTier, type TierBuilders } from '../core/build-tier.ts';
import type { TierOutputs } from '../core/inputs.ts';
import type { TierStack } from '../core/tier-stack.ts';
import type { ModelContext } from '../model/context.ts';
import { AwsCompute } from './compute/index.ts';
import { AwsData } from './data/index.ts';
import { AwsFrontend } from './frontend/index.ts';
import { AwsNetwork } from './network/index.ts';
import { AwsObservability } from './observability/index.ts';
import { boundRoles } from './bounded-roles.ts';
import { awsTierStack } from './stack.ts';

const AWS_TIERS: TierBuilders = {
  network: (stack, { model }) => new AwsNetwork(stack, 'network', { model }).outputs,
  data: (stack, { ctx, model, inputs }) => new AwsData(stack, 'data', { ctx, model, inputs }).outputs,
  compute: (stack, { ctx, model, inputs }) => new AwsCompute(stack, 'compute', { ctx, model, inputs }).outputs,
  frontend: (stack, { model }) => new AwsFrontend(stack, 'frontend', { model }).outputs,
  observability: (stack, { ctx, model, inputs }) => new AwsObservability(stack, 'observability', { ctx, model, inputs }).outputs,
};

/** A tier for an AWS target: provider, S3 state, the tier's constructs and its outputs. */
export function buildAwsStack(root: Construct, ctx: ModelContext, tier: Tier, given?: Partial<Record<Tier, TierOutputs>>): TierStack {
  const { stack, inputs } = awsTierStack(root, ctx, tier, given);
  buildTier(stack, ctx, tier, inputs, AWS_TIERS);
  boundRoles(stack, ctx.target);
  return stack;
}
