import { Construct } from 'constructs';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { policyDocument, type Statement } from '../aws/policy.ts';
import { BOUNDARY_POLICY_NAME, EXECUTION_ROLE_NAME, EXECUTION_ROLE_PATH } from './names.ts';

export interface ExecutionRoleProps {
  /** The control plane's task role: the only principal that may assume this role. */
  readonly controlPlaneRoleArn: string;
  readonly externalId: string;
  /** The ceiling of this role and of every role it creates. */
  readonly boundary: readonly Statement[];
  /** Its grants, as several managed policies (IAM caps one at 6144 characters). */
  readonly policies: Readonly<Record<string, readonly Statement[]>>;
}

/** The role terrace's runs assume in this account: trusted by one role with one external id, under the boundary. */
export class ExecutionRole extends Construct {
  readonly role: IamRole;
  readonly boundary: IamPolicy;

  constructor(scope: Construct, id: string, { controlPlaneRoleArn, externalId, boundary, policies }: ExecutionRoleProps) {
    super(scope, id);
    this.boundary = new IamPolicy(this, 'boundary', {
      name: BOUNDARY_POLICY_NAME,
      path: EXECUTION_ROLE_PATH,
      description: 'terrace: the most any terrace role may do',
      policy: policyDocument(...boundary),
    });
    this.role = new IamRole(this, 'role', {
      name: EXECUTION_ROLE_NAME,
      path: EXECUTION_ROLE_PATH,
      description: 'terrace: assumed by the control plane to apply environments',
      permissionsBoundary: this.boundary.arn,
      assumeRolePolicy: policyDocument({
        Sid: 'ControlPlaneOnly',
        Effect: 'Allow',
        Principal: { AWS: controlPlaneRoleArn },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      }),
    });
    for (const [name, statements] of Object.entries(policies)) {
      const policy = new IamPolicy(this, name, { name: `terrace-${name}`, path: EXECUTION_ROLE_PATH, policy: policyDocument(...statements) });
      new IamRolePolicyAttachment(this, `${name}_attachment`, { role: this.role.name, policyArn: policy.arn });
    }
  }
}
