import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { DataAwsSecretsmanagerSecret } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret/index.js';
import type { ServiceModel } from '../../model/compute.ts';

/**
 * The secrets a spec names (a bare name, a partial ARN without the 6-character suffix, or a full ARN), each read
 * once with a data source so ECS and IAM both get its exact ARN. ECS takes a name in `valueFrom`, but IAM compares
 * ARNs: a name needs a `-??????` wildcard in the policy, which also matches `<name>-XXXXXX` of a different
 * secret whose name is longer by a suffix-like tail. One exact ARN leaves nothing for the two to disagree on,
 * and a secret that does not exist fails the plan, not the deployment.
 */
export class SecretLookups extends Construct {
  private readonly byRef = new Map<string, DataAwsSecretsmanagerSecret>();

  constructor(scope: Construct, id: string, refs: readonly string[]) {
    super(scope, id);
    for (const ref of [...new Set(refs)].sort()) {
      // The construct id keeps the name readable and a hash keeps ids unique (`a/b` and `a_b` differ).
      const key = `${ref.replace(/^arn:.*:secret:/, '').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}_${createHash('sha256').update(ref).digest('hex').slice(0, 6)}`;
      this.byRef.set(ref, new DataAwsSecretsmanagerSecret(this, key, ref.startsWith('arn:') ? { arn: ref } : { name: ref }));
    }
  }

  /** The service with each secret's `valueFrom` replaced by the looked-up ARN. */
  resolve(service: ServiceModel): ServiceModel {
    return { ...service, secrets: Object.fromEntries(Object.entries(service.secrets).map(([name, ref]) => [name, this.arn(ref)])) };
  }

  /** The exact ARNs of the service's secrets, each once, for its execution role. */
  arns(service: ServiceModel): string[] {
    return [...new Set(Object.values(service.secrets))].sort().map((ref) => this.arn(ref));
  }

  private arn(ref: string): string {
    const lookup = this.byRef.get(ref);
    if (!lookup) throw new Error(`secret ${ref} was not looked up`);
    return lookup.arn;
  }
}
