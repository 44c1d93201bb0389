import type { Construct } from 'constructs';
import type { Tier } from '../../specs/environment.ts';
import { buildTier, type TierBuilders } from '../core/build-tier.ts';
import { DataTerraformRemoteStateLocal, LocalBackend } from '../core/cdktf.ts';
import { TierInputs, type TierOutputs } from '../core/inputs.ts';
import { TierStack, type StackFacts } from '../core/tier-stack.ts';
import type { ModelContext } from '../model/context.ts';
import { LocalCompute } from './compute.ts';
import { LocalData } from './data.ts';
import { LocalFrontend } from './frontend.ts';
import { LocalNetwork } from './network.ts';
import { LocalObservability } from './observability.ts';

const LOCAL_TIERS: TierBuilders = {
  network: (stack, { model }) => new LocalNetwork(stack, 'network', { model }).outputs,
  data: (stack, { model, inputs }) => new LocalData(stack, 'data', { model, inputs }).outputs,
  compute: (stack, { model, inputs }) => new LocalCompute(stack, 'compute', { model, inputs }).outputs,
  frontend: (stack, { model }) => new LocalFrontend(stack, 'frontend', { model }).outputs,
  observability: (stack, { model, inputs }) => new LocalObservability(stack, 'observability', { model, inputs }).outputs,
};

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
  buildTier(stack, ctx, tier, inputs, LOCAL_TIERS);
  return stack;
}

/** The backend only (what a teardown applies): no provider to configure for terraform_data. */
export function localStack(root: Construct, facts: StackFacts): TierStack {
  const stack = new TierStack(root, facts);
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  return stack;
}
