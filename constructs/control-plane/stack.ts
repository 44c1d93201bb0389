import type { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret/index.js';
import { AccountStack } from '../core/account-stack.ts';
import { TerraformOutput } from '../core/cdktf.ts';
import { ApiLoadBalancer } from './alb.ts';
import { ControlPlaneAlarms } from './alarms.ts';
import { ADMIN_TOKEN_SECRET, ecrRepositoryArn, type ControlPlaneModel } from './model.ts';
import { ControlPlaneNetwork } from './network.ts';
import { ControlPlaneRoles } from './roles.ts';
import { ControlPlaneService } from './service.ts';
import { StoreTable } from './table.ts';
import { ApiFirewall } from './waf.ts';

/** terrace itself in its management account: table, network, ALB, Fargate service, roles, alarms. */
export function controlPlaneStack(root: Construct, model: ControlPlaneModel): AccountStack {
  const { spec } = model;
  const stack = new AccountStack(root, { purpose: 'control-plane', accountId: spec.accountId, region: spec.region });
  const store = new StoreTable(stack, 'store', { tableName: model.tableName, accountId: spec.accountId });
  const network = new ControlPlaneNetwork(stack, 'network', { model });
  // No value here: the token never enters terraform state. deploy/README.md puts it (and rotates it).
  const adminToken = new SecretsmanagerSecret(stack, 'admin_token', { name: ADMIN_TOKEN_SECRET, description: 'terrace: the admin token (TERRACE_ADMIN_TOKEN)', recoveryWindowInDays: 7 });
  const logGroup = new CloudwatchLogGroup(stack, 'logs', { name: model.logGroupName, retentionInDays: 90 });
  const roles = new ControlPlaneRoles(stack, 'roles', {
    tableArn: store.table.arn,
    tableKeyArn: store.key.arn,
    adminTokenArn: adminToken.arn,
    logGroupArn: logGroup.arn,
    repositoryArn: ecrRepositoryArn(spec.image),
    targetRoleArns: model.targetRoleArns,
  });
  const albSubnets = spec.public ? network.vpc.publicSubnets : network.vpc.privateSubnets;
  const albSubnetModels = spec.public ? model.network.publicSubnets : model.network.privateSubnets;
  const alb = new ApiLoadBalancer(stack, 'alb', {
    internal: !spec.public,
    subnetIds: albSubnets.map((s) => s.id),
    securityGroupId: network.albGroup.id,
    vpcId: network.vpc.vpc.id,
    certificateArn: spec.domain.certificateArn,
  });
  if (spec.waf ?? spec.public) new ApiFirewall(stack, 'waf', { loadBalancerArn: alb.lb.arn });
  const service = new ControlPlaneService(stack, 'api', {
    model,
    logGroup,
    taskRoleArn: roles.taskRole.arn,
    executionRoleArn: roles.executionRole.arn,
    adminTokenArn: adminToken.arn,
    subnetIds: network.vpc.privateSubnets.map((s) => s.id),
    securityGroupId: network.taskGroup.id,
    targetGroupArn: alb.targetGroup.arn,
    proxyCidrs: albSubnetModels.map((s) => s.cidr),
  });
  new ControlPlaneAlarms(stack, 'alarms', {
    lbArnSuffix: alb.lb.arnSuffix,
    targetGroupArnSuffix: alb.targetGroup.arnSuffix,
    clusterName: service.cluster.name,
    serviceName: service.service.name,
    desiredCount: spec.desiredCount,
    logGroupName: logGroup.name,
  });
  const outputs: Record<string, string> = {
    taskRoleArn: roles.taskRole.arn,
    tableName: store.table.name,
    adminTokenSecretArn: adminToken.arn,
    loadBalancerDnsName: alb.lb.dnsName,
    url: `https://${spec.domain.name}`,
  };
  for (const [name, value] of Object.entries(outputs)) new TerraformOutput(stack, name, { value });
  return stack;
}
