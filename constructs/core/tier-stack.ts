import type { Construct, Node } from 'constructs';
import { TerraformElement, TerraformStack } from './cdktf.ts';
import type { Tier } from '../../specs/environment.ts';

/** What guardrails need to know about a stack beyond its resources; kept in the JSON's `//` comment. */
export interface StackFacts {
  readonly environment: string;
  readonly tier: Tier;
  readonly provider: 'aws' | 'local';
  /** The spec asks for CloudTrail (observability tier). */
  readonly cloudtrail?: boolean;
  /** Provider and backend only: applied with -destroy to empty the tier's state. */
  readonly teardown?: boolean;
}

/**
 * A tier's stack. Terraform addresses are the construct path joined with `_` (`service_web_task`), not
 * cdktf's hashed ids, so plans and guardrail messages read like the code.
 */
export class TierStack extends TerraformStack {
  readonly facts: StackFacts;

  constructor(scope: Construct, facts: StackFacts) {
    super(scope, facts.tier);
    this.facts = facts;
    this.addOverride('//.terrace', facts);
  }

  protected override allocateLogicalId(element: TerraformElement | Node): string {
    return pathLogicalId(this, element);
  }
}

/** The construct path below the stack joined with `_`: readable terraform addresses for every terrace stack. */
export function pathLogicalId(stack: TerraformStack, element: TerraformElement | Node): string {
  const node = TerraformElement.isTerraformElement(element) ? element.node : element;
  const scopes = node.scopes;
  const ids = scopes.slice(scopes.indexOf(stack) + 1).map((c) => c.node.id);
  return ids.join('_').replace(/[^A-Za-z0-9_-]/g, '_');
}
