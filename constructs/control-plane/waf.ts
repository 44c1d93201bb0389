import { Construct } from 'constructs';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association/index.js';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl/index.js';

export interface ApiFirewallProps {
  readonly loadBalancerArn: string;
  /** Requests one address may make in five minutes before it is blocked (WAF's own window). */
  readonly ratePerFiveMinutes?: number;
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/** A regional WAF in front of the API: AWS's common rule set, then a per-address rate limit. */
export class ApiFirewall extends Construct {
  readonly acl: Wafv2WebAcl;

  constructor(scope: Construct, id: string, { loadBalancerArn, ratePerFiveMinutes = 3000 }: ApiFirewallProps) {
    super(scope, id);
    this.acl = new Wafv2WebAcl(this, 'acl', {
      name: 'terrace-api',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('terrace-api'),
      rule: [
        {
          name: 'aws-common',
          priority: 1,
          overrideAction: { none: {} },
          // `statement` is untyped in the bindings: terraform's own names.
          statement: { managed_rule_group_statement: { name: 'AWSManagedRulesCommonRuleSet', vendor_name: 'AWS' } },
          visibilityConfig: visibility('terrace-api-aws-common'),
        },
        {
          name: 'rate-per-address',
          priority: 2,
          action: { block: {} },
          statement: { rate_based_statement: { limit: ratePerFiveMinutes, aggregate_key_type: 'IP' } },
          visibilityConfig: visibility('terrace-api-rate'),
        },
      ],
    });
    new Wafv2WebAclAssociation(this, 'alb', { resourceArn: loadBalancerArn, webAclArn: this.acl.arn });
  }
}
