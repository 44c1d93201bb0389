import { Construct } from 'constructs';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener/index.js';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group/index.js';
import { Lb } from '@cdktf/provider-aws/lib/lb/index.js';
import { PORT } from './model.ts';

export interface ApiLoadBalancerProps {
  readonly internal: boolean;
  readonly subnetIds: string[];
  readonly securityGroupId: string;
  readonly vpcId: string;
  readonly certificateArn: string;
}

/** HTTPS only (no port 80 at all), TLS 1.2+, ready when /readyz answers (the store is reachable). */
export class ApiLoadBalancer extends Construct {
  readonly lb: Lb;
  readonly targetGroup: LbTargetGroup;

  constructor(scope: Construct, id: string, { internal, subnetIds, securityGroupId, vpcId, certificateArn }: ApiLoadBalancerProps) {
    super(scope, id);
    this.lb = new Lb(this, 'lb', {
      name: 'terrace',
      internal,
      loadBalancerType: 'application',
      subnets: subnetIds,
      securityGroups: [securityGroupId],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: true,
      // Watch streams (SSE) stay open between events.
      idleTimeout: 3600,
    });
    this.targetGroup = new LbTargetGroup(this, 'tasks', {
      name: 'terrace-api',
      port: PORT,
      protocol: 'HTTP',
      targetType: 'ip',
      vpcId,
      deregistrationDelay: '30',
      healthCheck: { path: '/readyz', matcher: '200', interval: 15, healthyThreshold: 2, unhealthyThreshold: 3, timeout: 5 },
    });
    new LbListener(this, 'https', {
      loadBalancerArn: this.lb.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificateArn,
      defaultAction: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
    });
  }
}
