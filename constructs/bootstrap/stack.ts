import type { Construct } from 'constructs';
import type { Statement } from '../aws/policy.ts';
import { TerraformOutput } from '../core/cdktf.ts';
import { AccountStack } from '../core/account-stack.ts';
import { boundaryStatements, deployStatements, stateStatements } from './deploy-policy.ts';
import { ExecutionRole } from './execution-role.ts';
import { StateBucket } from './state-bucket.ts';
import { StateKey } from './state-key.ts';

export interface BootstrapProps {
  readonly accountId: string;
  readonly region: string;
  readonly stateBucket: string;
  readonly externalId: string;
  readonly controlPlaneRoleArn: string;
}

/** One workload account and region made ready for terrace: state bucket and key, the execution role. */
export function bootstrapStack(root: Construct, props: BootstrapProps): AccountStack {
  const { accountId, region } = props;
  const stack = new AccountStack(root, { purpose: 'bootstrap', accountId, region });
  const key = new StateKey(stack, 'state_key', { accountId });
  const bucket = new StateBucket(stack, 'state_bucket', { bucketName: props.stateBucket, kmsKeyArn: key.key.arn });
  const bucketArn = bucket.bucket.bucket.arn;
  const [read, ...writes] = deployStatements({ accountId, region });
  const role = new ExecutionRole(stack, 'execution', {
    controlPlaneRoleArn: props.controlPlaneRoleArn,
    externalId: props.externalId,
    boundary: boundaryStatements({ accountId, region }, bucketArn, key.key.arn),
    // Grouped to stay under IAM's 6144 characters per managed policy.
    policies: {
      state: [read, ...stateStatements(bucketArn, key.key.arn)],
      network: pick(writes, 'Network', 'Compute'),
      data: pick(writes, 'Data', 'SecretsOfTerraceAndRds'),
      platform: writes.filter((s) => !['Network', 'Compute', 'Data', 'SecretsOfTerraceAndRds'].includes(s.Sid!)),
    },
  });
  // Exactly the fields of the Target that points here.
  const outputs: Record<string, string> = { provider: 'aws', accountId, region, roleArn: role.role.arn, externalId: props.externalId, stateBucket: bucket.bucket.bucket.bucket };
  for (const [name, value] of Object.entries(outputs)) new TerraformOutput(stack, name, { value });
  return stack;
}

function pick(statements: Statement[], ...sids: string[]): Statement[] {
  return statements.filter((s) => sids.includes(s.Sid!));
}
