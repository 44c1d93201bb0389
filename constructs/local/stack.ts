import type { Construct } from 'constructs';
import { DataTerraformRemoteStateLocal, LocalBackend } from '../core/cdktf.ts';
import type { Tier } from '../../specs/environment.ts';
import { TierInputs, type TierOutputs } from '../core/inputs.ts';
import { addOutputs } from '../core/outputs.ts';
import { TierStack, type StackFacts } from '../core/tier-stack.ts';
import { computeModel } from '../model/compute.ts';
import type { ModelContext } from '../model/context.ts';
import { dataModel } from '../model/data.ts';
import { escapeDeep } from '../model/escape.ts';
import { frontendModel } from '../model/frontend.ts';
import { networkModel } from '../model/network.ts';
import { observabilityModel } from '../model/observability.ts';
import { tierOutputNames } from '../model/outputs.ts';
import { LocalCompute } from './compute.ts';
import { LocalData } from './data.ts';
import { LocalFrontend } from './frontend.ts';
import { LocalNetwork } from './network.ts';
import { LocalObservability } from './observability.ts';

/**
 * A tier for the local target: terraform_data only (terraform's built-in provider, nothing to download),
 * state in `terraform.tfstate` of the working dir, other tiers' state in the sibling dirs `../<tier>/`.
 */
export function buildLocalStack(root: Construct, ctx: ModelContext, tier: Tier, given?: Partial<Record<Tier, TierOutputs>>): TierStack {
  const stack = localStack(root, { environment: ctx.env, tier, provider: 'local' });
  const inputs = new TierInputs(given, (dep) => {
    const state = new DataTerraformRemoteStateLocal(stack, `remote_state_${dep}`, { path: `../${dep}/terraform.tfstate` });
    return { getString: (k) => state.getString(k), getNumber: (k) => state.getNumber(k), getList: (k) => state.getList(k) };
  });
  const outputs = build(stack, ctx, tier, inputs);
  addOutputs(stack, tierOutputNames(ctx, tier), outputs);
  return stack;
}

function build(stack: TierStack, ctx: ModelContext, tier: Tier, inputs: TierInputs): Record<string, unknown> {
  // Models are escaped once here: every user string below reaches terraform literally.
  switch (tier) {
    case 'network':
      return new LocalNetwork(stack, 'network', { model: escapeDeep(networkModel(ctx)) }).outputs;
    case 'data':
      return new LocalData(stack, 'data', { model: escapeDeep(dataModel(ctx)), inputs }).outputs;
    case 'compute':
      return new LocalCompute(stack, 'compute', { model: escapeDeep(computeModel(ctx)), inputs }).outputs;
    case 'frontend':
      return new LocalFrontend(stack, 'frontend', { model: escapeDeep(frontendModel(ctx)) }).outputs;
    case 'observability':
      return new LocalObservability(stack, 'observability', { model: escapeDeep(observabilityModel(ctx)), inputs }).outputs;
  }
}

/** The backend only (what a teardown applies): no provider to configure for terraform_data. */
export function localStack(root: Construct, facts: StackFacts): TierStack {
  const stack = new TierStack(root, facts);
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  return stack;
}
