import type { Construct, Node } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { AWS_PROVIDER_VERSION } from '../aws/stack.ts';
import { LocalBackend, TerraformElement, TerraformStack } from './cdktf.ts';
import { pathLogicalId } from './tier-stack.ts';

export interface AccountStackProps {
  /** What the stack sets up, kept in the JSON's `//.terrace` like a tier's facts. */
  readonly purpose: 'bootstrap' | 'control-plane';
  readonly accountId: string;
  readonly region: string;
}

/**
 * A stack an administrator applies once per account with their own credentials (no role to assume yet):
 * the provider is held to that account and region, everything is tagged, and state stays local until the
 * operator moves it (deploy/README.md).
 */
export class AccountStack extends TerraformStack {
  readonly provider: AwsProvider;

  constructor(scope: Construct, { purpose, accountId, region }: AccountStackProps) {
    super(scope, purpose);
    this.addOverride('//.terrace', { stack: purpose, provider: 'aws' });
    this.provider = new AwsProvider(this, 'aws', {
      region,
      allowedAccountIds: [accountId],
      defaultTags: [{ tags: { 'managed-by': 'terrace', 'terrace:stack': purpose } }],
    });
    this.addOverride('terraform.required_providers.aws', { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION });
    // Relative, so terraform keeps it beside cdk.tf.json (cdktf's default is an absolute path under the directory
    // the synth ran from, shared by every account bootstrapped there).
    new LocalBackend(this, { path: 'terraform.tfstate' });
  }

  protected override allocateLogicalId(element: TerraformElement | Node): string {
    return pathLogicalId(this, element);
  }
}
