import { Construct } from 'constructs';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule/index.js';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener/index.js';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group/index.js';
import { Lb } from '@cdktf/provider-aws/lib/lb/index.js';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association/index.js';
import type { AlbModel, ServiceModel } from '../../model/compute.ts';
import type { AlbEdgeModel } from '../../model/network.ts';
import { AlbAccessLogs } from '../alb-access-logs.ts';
import { WebAcl } from '../waf.ts';

export interface AlbProps {
  readonly model: AlbModel;
  /** Deletion protection, access logs and WAF, from spec.network. */
  readonly edge: AlbEdgeModel;
  readonly services: readonly ServiceModel[];
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly securityGroupId: string;
}

/**
 * The public ALB: HTTPS only (TLS 1.3 policy), port 80 just redirects; idle timeout sized for WebSockets,
 * one `ip` target group per public service with cookie stickiness, and path rules for the non-default ones.
 * Deletion protection, access logs to its own bucket, and a WAF web ACL unless spec.network turns them off.
 */
export class Alb extends Construct {
  readonly lb: Lb;
  readonly https: LbListener;
  readonly targetGroups: Map<string, LbTargetGroup>;

  constructor(scope: Construct, id: string, { model, edge, services, vpcId, subnetIds, securityGroupId }: AlbProps) {
    super(scope, id);
    const logs = new AlbAccessLogs(this, 'access_logs', { model: edge.accessLogs, forceDestroy: !edge.deletionProtection });
    this.lb = new Lb(this, 'lb', {
      name: model.name,
      internal: false,
      loadBalancerType: 'application',
      securityGroups: [securityGroupId],
      subnets: subnetIds,
      idleTimeout: model.idleTimeoutSeconds,
      dropInvalidHeaderFields: true,
      enableHttp2: true,
      enableDeletionProtection: edge.deletionProtection,
      accessLogs: { bucket: logs.bucket.bucket.id, enabled: true },
      // ELB checks that it may write before it turns logging on.
      dependsOn: [logs.policy],
    });
    if (edge.waf) {
      const waf = new WebAcl(this, 'waf', { model: edge.waf });
      new Wafv2WebAclAssociation(this, 'waf_association', { resourceArn: this.lb.arn, webAclArn: waf.acl.arn });
    }
    this.targetGroups = new Map(
      services.filter((s) => s.target).map((s) => [s.name, new LbTargetGroup(this, `target_group_${s.name}`, {
        name: s.target!.groupName,
        port: s.port,
        protocol: 'HTTP',
        targetType: 'ip',
        vpcId,
        deregistrationDelay: String(s.target!.deregistrationDelay),
        healthCheck: { path: s.healthCheckPath, matcher: '200-399', interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
        stickiness: s.target!.stickinessSeconds === undefined
          ? { type: 'lb_cookie', enabled: false }
          : { type: 'lb_cookie', enabled: true, cookieDuration: s.target!.stickinessSeconds },
      })]),
    );
    this.https = new LbListener(this, 'https', {
      loadBalancerArn: this.lb.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: model.sslPolicy,
      certificateArn: model.certificateArn,
      defaultAction: [{ type: 'forward', targetGroupArn: this.targetGroups.get(model.defaultService)!.arn }],
    });
    new LbListener(this, 'http', {
      loadBalancerArn: this.lb.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
    });
    for (const s of services) {
      const rule = s.target?.rule;
      if (!rule) continue;
      new LbListenerRule(this, `rule_${s.name}`, {
        listenerArn: this.https.arn,
        priority: rule.priority,
        action: [{ type: 'forward', targetGroupArn: this.targetGroups.get(s.name)!.arn }],
        condition: [{ pathPattern: { values: [...rule.paths] } }],
      });
    }
  }
}
