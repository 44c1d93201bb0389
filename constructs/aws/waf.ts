import { Construct } from 'constructs';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl/index.js';
import type { WafModel } from '../model/network.ts';

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/**
 * A WAFv2 web ACL: AWS's common rule set (counted as one group, its own actions), then a block of any client
 * address over the rate limit. REGIONAL for an ALB; CLOUDFRONT scope lives in us-east-1 (pass that provider).
 */
export class WebAcl extends Construct {
  readonly acl: Wafv2WebAcl;

  constructor(scope: Construct, id: string, { model, provider }: { model: WafModel; provider?: AwsProvider }) {
    super(scope, id);
    this.acl = new Wafv2WebAcl(this, 'acl', {
      provider,
      name: model.name,
      scope: model.scope,
      defaultAction: { allow: {} },
      visibilityConfig: visibility(model.name),
      rule: [
        {
          name: 'aws-common',
          priority: 1,
          overrideAction: { none: {} },
          // `statement` is untyped in the bindings: terraform's own names.
          statement: { managed_rule_group_statement: { name: 'AWSManagedRulesCommonRuleSet', vendor_name: 'AWS' } },
          visibilityConfig: visibility(`${model.name}-aws-common`),
        },
        {
          name: 'rate-per-address',
          priority: 2,
          action: { block: {} },
          statement: { rate_based_statement: { limit: model.rateLimit, aggregate_key_type: 'IP' } },
          visibilityConfig: visibility(`${model.name}-rate`),
        },
      ],
    });
  }
}
