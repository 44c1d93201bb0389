import type { Statement } from '../aws/policy.ts';
import { boundaryPolicyArn, EXECUTION_ROLE_PATH, executionRoleArn } from './names.ts';

export interface DeployScope {
  readonly accountId: string;
  readonly region: string;
}

/** Services whose roles the tiers pass (ECS tasks, flow logs, scheduled runs) and whose service-linked roles they need. */
const PASSED_TO = ['ecs-tasks.amazonaws.com', 'vpc-flow-logs.amazonaws.com', 'scheduler.amazonaws.com'];
const SERVICE_LINKED = ['ecs.amazonaws.com', 'elasticloadbalancing.amazonaws.com', 'rds.amazonaws.com', 'elasticache.amazonaws.com', 'ecs.application-autoscaling.amazonaws.com', 'rds.application-autoscaling.amazonaws.com'];

/**
 * What the five tiers create, and nothing else: each service's write calls on that service's resource types
 * in this account and region, where terrace names resources `<env>-<tier>-...` on those names, and reads on
 * `*`. No service wildcard (`ec2:*`), no `*` resource but for reads and the creates AWS authorizes only there (a
 * key or a namespace, with terrace's tag; a namespace's hosted zone). Roles live under /terrace/ and must carry the
 * boundary.
 */
export function deployStatements({ accountId: a, region: r }: DeployScope): Statement[] {
  const arn = (service: string, ...resources: string[]) => resources.map((x) => `arn:aws:${service}:${r}:${a}:${x}`);
  const global = (service: string, ...resources: string[]) => resources.map((x) => `arn:aws:${service}::${a}:${x}`);
  const roles = `arn:aws:iam::${a}:role${EXECUTION_ROLE_PATH}*`;
  const boundary = boundaryPolicyArn(a);
  return [
    {
      Sid: 'Read',
      Effect: 'Allow',
      Action: [
        'ec2:Describe*', 'ecs:Describe*', 'ecs:List*', 'elasticloadbalancing:Describe*', 'rds:Describe*', 'rds:ListTagsForResource',
        'elasticache:Describe*', 'elasticache:ListTagsForResource', 'sqs:ListQueues', 'cloudfront:List*', 'cloudtrail:Describe*',
        'cloudtrail:Get*', 'cloudtrail:ListTags', 'cloudwatch:Describe*', 'cloudwatch:List*',
        'logs:Describe*', 'logs:ListTagsForResource', 'logs:ListTagsLogGroup', 'kms:DescribeKey', 'kms:List*', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus',
        'secretsmanager:DescribeSecret', 'secretsmanager:GetRandomPassword', 'secretsmanager:ListSecrets', 'iam:GetRole', 'iam:GetRolePolicy',
        'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:ListInstanceProfilesForRole', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'acm:DescribeCertificate', 'acm:ListCertificates',
        'acm:ListTagsForCertificate', 'application-autoscaling:Describe*', 'application-autoscaling:ListTagsForResource', 'sns:GetTopicAttributes', 'sns:GetSubscriptionAttributes', 'sns:ListTagsForResource',
        'sts:GetCallerIdentity', 'servicediscovery:Get*', 'servicediscovery:List*', 'route53:GetHostedZone', 'route53:ListHostedZonesByName',
      ],
      Resource: '*',
    },
    {
      Sid: 'Network',
      Effect: 'Allow',
      Action: [
        'ec2:CreateVpc', 'ec2:DeleteVpc', 'ec2:ModifyVpcAttribute', 'ec2:CreateSubnet', 'ec2:DeleteSubnet', 'ec2:ModifySubnetAttribute',
        'ec2:CreateInternetGateway', 'ec2:DeleteInternetGateway', 'ec2:AttachInternetGateway', 'ec2:DetachInternetGateway',
        'ec2:AllocateAddress', 'ec2:ReleaseAddress', 'ec2:DisassociateAddress', 'ec2:CreateNatGateway', 'ec2:DeleteNatGateway',
        'ec2:CreateRouteTable', 'ec2:DeleteRouteTable', 'ec2:CreateRoute', 'ec2:DeleteRoute', 'ec2:ReplaceRoute', 'ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable',
        'ec2:CreateSecurityGroup', 'ec2:DeleteSecurityGroup', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:ModifySecurityGroupRules',
        'ec2:CreateFlowLogs', 'ec2:DeleteFlowLogs', 'ec2:CreateTags', 'ec2:DeleteTags',
        // The default network ACL taken over, the subnets' own ACL, the S3 gateway and interface endpoints.
        'ec2:CreateNetworkAcl', 'ec2:DeleteNetworkAcl', 'ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAclEntry', 'ec2:ReplaceNetworkAclEntry',
        'ec2:ReplaceNetworkAclAssociation', 'ec2:CreateVpcEndpoint', 'ec2:DeleteVpcEndpoints', 'ec2:ModifyVpcEndpoint',
      ],
      Resource: arn('ec2', 'vpc/*', 'subnet/*', 'internet-gateway/*', 'elastic-ip/*', 'natgateway/*', 'route-table/*', 'security-group/*',
        'security-group-rule/*', 'vpc-flow-log/*', 'network-interface/*', 'network-acl/*', 'vpc-endpoint/*'),
    },
    {
      Sid: 'Compute',
      Effect: 'Allow',
      Action: [
        'ecs:CreateCluster', 'ecs:DeleteCluster', 'ecs:UpdateCluster', 'ecs:PutClusterCapacityProviders', 'ecs:CreateService', 'ecs:UpdateService',
        'ecs:DeleteService', 'ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:DeleteTaskDefinitions', 'ecs:TagResource', 'ecs:UntagResource',
        // The controller's database setup task (controller/db-setup/): started after the data tier, stopped on timeout.
        'ecs:RunTask', 'ecs:StopTask',
        'elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetSecurityGroups', 'elasticloadbalancing:SetSubnets', 'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyTargetGroup', 'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:ModifyListener', 'elasticloadbalancing:CreateRule', 'elasticloadbalancing:DeleteRule',
        'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:SetRulePriorities', 'elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags',
        'elasticloadbalancing:SetWebAcl',
        'application-autoscaling:RegisterScalableTarget', 'application-autoscaling:DeregisterScalableTarget', 'application-autoscaling:PutScalingPolicy',
        'application-autoscaling:DeleteScalingPolicy', 'application-autoscaling:TagResource', 'application-autoscaling:UntagResource',
        'servicediscovery:CreateService', 'servicediscovery:UpdateService', 'servicediscovery:DeleteService', 'servicediscovery:DeleteNamespace',
        'servicediscovery:TagResource', 'servicediscovery:UntagResource',
        'scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule',
      ],
      Resource: [
        ...arn('ecs', 'cluster/*', 'service/*', 'task-definition/*', 'task/*'),
        ...arn('servicediscovery', 'namespace/*', 'service/*'),
        ...arn('elasticloadbalancing', 'loadbalancer/*', 'targetgroup/*', 'listener/*', 'listener-rule/*'),
        ...arn('application-autoscaling', 'scalable-target/*'),
        ...arn('scheduler', 'schedule/*'),
      ],
    },
    {
      Sid: 'Data',
      Effect: 'Allow',
      Action: [
        'rds:CreateDBCluster', 'rds:DeleteDBCluster', 'rds:ModifyDBCluster', 'rds:CreateDBInstance', 'rds:DeleteDBInstance', 'rds:ModifyDBInstance',
        'rds:RebootDBInstance', 'rds:CreateDBSubnetGroup', 'rds:DeleteDBSubnetGroup', 'rds:ModifyDBSubnetGroup', 'rds:CreateDBClusterParameterGroup',
        'rds:DeleteDBClusterParameterGroup', 'rds:ModifyDBClusterParameterGroup', 'rds:AddTagsToResource', 'rds:RemoveTagsFromResource',
        'elasticache:CreateReplicationGroup', 'elasticache:DeleteReplicationGroup', 'elasticache:ModifyReplicationGroup', 'elasticache:CreateCacheCluster',
        'elasticache:DeleteCacheCluster', 'elasticache:CreateCacheSubnetGroup', 'elasticache:DeleteCacheSubnetGroup', 'elasticache:ModifyCacheSubnetGroup',
        'elasticache:AddTagsToResource', 'elasticache:RemoveTagsFromResource',
        'elasticache:CreateCacheParameterGroup', 'elasticache:ModifyCacheParameterGroup', 'elasticache:DeleteCacheParameterGroup',
        'sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:SetQueueAttributes', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:TagQueue', 'sqs:UntagQueue', 'sqs:ListQueueTags',
      ],
      Resource: [
        ...arn('rds', 'cluster:*', 'db:*', 'subgrp:*', 'cluster-pg:*', 'pg:*'),
        ...arn('elasticache', 'replicationgroup:*', 'cluster:*', 'subnetgroup:*', 'parametergroup:*', 'user:*'),
        ...arn('sqs', '*-data-*'),
      ],
    },
    {
      Sid: 'SecretsOfTerraceAndRds',
      Effect: 'Allow',
      Action: ['secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:UpdateSecret', 'secretsmanager:PutSecretValue',
        'secretsmanager:GetSecretValue', 'secretsmanager:GetResourcePolicy', 'secretsmanager:TagResource', 'secretsmanager:UntagResource', 'secretsmanager:RotateSecret'],
      Resource: arn('secretsmanager', 'secret:terrace/*', 'secret:rds!*'),
    },
    {
      Sid: 'FrontendAndObservability',
      Effect: 'Allow',
      Action: [
        's3:CreateBucket', 's3:DeleteBucket', 's3:ListBucket', 's3:GetBucket*', 's3:PutBucket*', 's3:DeleteBucketPolicy', 's3:GetLifecycleConfiguration',
        's3:PutLifecycleConfiguration', 's3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration', 's3:GetAccelerateConfiguration',
        's3:GetReplicationConfiguration', 's3:GetAnalyticsConfiguration',
        'cloudfront:CreateDistribution', 'cloudfront:UpdateDistribution', 'cloudfront:DeleteDistribution', 'cloudfront:GetDistribution', 'cloudfront:TagResource',
        'cloudfront:UntagResource', 'cloudfront:CreateOriginAccessControl', 'cloudfront:UpdateOriginAccessControl', 'cloudfront:DeleteOriginAccessControl',
        'cloudfront:GetOriginAccessControl', 'cloudfront:CreateResponseHeadersPolicy', 'cloudfront:UpdateResponseHeadersPolicy',
        'cloudfront:DeleteResponseHeadersPolicy', 'cloudfront:GetResponseHeadersPolicy', 'cloudfront:CreateInvalidation',
        'cloudtrail:CreateTrail', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:StartLogging', 'cloudtrail:StopLogging',
        'cloudtrail:PutEventSelectors', 'cloudtrail:AddTags', 'cloudtrail:RemoveTags',
        'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:PutDashboard', 'cloudwatch:DeleteDashboards', 'cloudwatch:GetDashboard',
        'cloudwatch:TagResource', 'cloudwatch:UntagResource',
        'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:TagResource', 'logs:UntagResource',
        'logs:TagLogGroup', 'logs:UntagLogGroup', 'logs:AssociateKmsKey', 'logs:DisassociateKmsKey',
        'sns:CreateTopic', 'sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:Unsubscribe', 'sns:TagResource', 'sns:UntagResource',
      ],
      Resource: [
        'arn:aws:s3:::*-frontend-*', 'arn:aws:s3:::*-observability-*', 'arn:aws:s3:::*-compute-alb-logs-*',
        ...global('cloudfront', 'distribution/*', 'origin-access-control/*', 'response-headers-policy/*'),
        ...arn('cloudtrail', 'trail/*'),
        ...arn('cloudwatch', 'alarm:*'), ...global('cloudwatch', 'dashboard/*'),
        ...arn('logs', 'log-group:*'),
        ...arn('sns', '*-observability-*'),
      ],
    },
    // The web ACLs: regional on the ALB, global (us-east-1) on CloudFront, with AWS's managed rule group.
    {
      Sid: 'WebAcls',
      Effect: 'Allow',
      Action: ['wafv2:CreateWebACL', 'wafv2:UpdateWebACL', 'wafv2:DeleteWebACL', 'wafv2:GetWebACL', 'wafv2:GetWebACLForResource', 'wafv2:AssociateWebACL',
        'wafv2:DisassociateWebACL', 'wafv2:ListTagsForResource', 'wafv2:TagResource', 'wafv2:UntagResource'],
      Resource: [`arn:aws:wafv2:${r}:${a}:regional/*`, `arn:aws:wafv2:us-east-1:${a}:global/*`, ...arn('elasticloadbalancing', 'loadbalancer/app/*')],
    },
    // CloudFront's metrics exist only in us-east-1: its alarm, the topic it notifies and that topic's key live there.
    {
      Sid: 'CloudFrontAlarms',
      Effect: 'Allow',
      Action: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource',
        'sns:CreateTopic', 'sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:Unsubscribe', 'sns:TagResource', 'sns:UntagResource'],
      Resource: [`arn:aws:cloudwatch:us-east-1:${a}:alarm:*`, `arn:aws:sns:us-east-1:${a}:*-observability-*`],
    },
    // A key and a Cloud Map namespace (the services' names) name nothing yet: AWS authorizes creating them only on
    // `*`, so they must carry terrace's tag.
    {
      Sid: 'CreateTagged',
      Effect: 'Allow',
      Action: ['kms:CreateKey', 'servicediscovery:CreatePrivateDnsNamespace'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestTag/managed-by': 'terrace' } },
    },
    {
      Sid: 'ManageTerraceKeys',
      Effect: 'Allow',
      Action: ['kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource', 'kms:UpdateKeyDescription',
        'kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias', 'kms:ListResourceTags', 'kms:CreateGrant', 'kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: [...arn('kms', 'key/*'), `arn:aws:kms:us-east-1:${a}:key/*`],
      Condition: { StringEquals: { 'aws:ResourceTag/managed-by': 'terrace' } },
    },
    // Cloud Map creates a namespace's private hosted zone with the caller's rights; CreateHostedZone is `*` only.
    { Sid: 'NamespaceZones', Effect: 'Allow', Action: 'route53:CreateHostedZone', Resource: '*' },
    // An alias call is authorized on the alias too, which carries no tags: the key's statement holds the line.
    { Sid: 'KeyAliases', Effect: 'Allow', Action: ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'], Resource: [...arn('kms', 'alias/*'), `arn:aws:kms:us-east-1:${a}:alias/*`] },
    {
      Sid: 'RolesUnderTheBoundary',
      Effect: 'Allow',
      Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
      Resource: roles,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } },
    },
    {
      Sid: 'ManageTerraceRoles',
      Effect: 'Allow',
      Action: ['iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:TagRole', 'iam:UntagRole'],
      Resource: roles,
    },
    {
      Sid: 'PassTerraceRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: roles,
      Condition: { StringEquals: { 'iam:PassedToService': PASSED_TO } },
    },
    {
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: `arn:aws:iam::${a}:role/aws-service-role/*`,
      Condition: { StringEquals: { 'iam:AWSServiceName': SERVICE_LINKED } },
    },
  ];
}

/** Verbs per service that the boundary lets through: the tiers' writes and their apps' calls. */
const CEILING: Record<string, string[]> = {
  ec2: ['Create*', 'Delete*', 'Modify*', 'Attach*', 'Detach*', 'Associate*', 'Disassociate*', 'Allocate*', 'Release*', 'Replace*', 'Authorize*', 'Revoke*'],
  // RunTask: a scheduled run's role starts the task; RunTask and StopTask: the controller's database setup task.
  ecs: ['Create*', 'Delete*', 'Update*', 'Put*', 'Register*', 'Deregister*', 'TagResource', 'UntagResource', 'RunTask', 'StopTask'],
  elasticloadbalancing: ['Create*', 'Delete*', 'Modify*', 'Set*', 'AddTags', 'RemoveTags'],
  'application-autoscaling': ['Register*', 'Deregister*', 'Put*', 'Delete*', 'TagResource', 'UntagResource'],
  rds: ['Create*', 'Delete*', 'Modify*', 'Reboot*', 'AddTags*', 'RemoveTags*'],
  'rds-db': ['connect'],
  elasticache: ['Create*', 'Delete*', 'Modify*', 'AddTags*', 'RemoveTags*'],
  sqs: ['Create*', 'Delete*', 'Set*', 'Get*', 'Tag*', 'Untag*', 'List*', 'Send*', 'Receive*', 'Change*'],
  secretsmanager: ['Create*', 'Delete*', 'Update*', 'Put*', 'Get*', 'Tag*', 'Untag*', 'RotateSecret'],
  s3: ['CreateBucket', 'DeleteBucket*', 'Get*', 'Put*', 'List*', 'DeleteObject*'],
  cloudfront: ['Create*', 'Update*', 'Delete*', 'Get*', 'TagResource', 'UntagResource'],
  cloudtrail: ['Create*', 'Delete*', 'Update*', 'Start*', 'Stop*', 'Put*', 'AddTags', 'RemoveTags'],
  cloudwatch: ['Put*', 'Delete*', 'Get*', 'TagResource', 'UntagResource'],
  logs: ['Create*', 'Delete*', 'Put*', 'Tag*', 'Untag*', 'Associate*', 'Disassociate*'],
  sns: ['Create*', 'Delete*', 'Set*', 'Subscribe', 'Unsubscribe', 'TagResource', 'UntagResource', 'Publish'],
  kms: ['Put*', 'Enable*', 'ScheduleKeyDeletion', 'TagResource', 'UntagResource', 'Update*', 'CreateAlias', 'DeleteAlias', 'CreateGrant', 'Encrypt', 'Decrypt', 'GenerateDataKey*', 'ListResourceTags'],
  iam: ['DeleteRole', 'UpdateRole*', 'UpdateAssumeRolePolicy', 'PutRolePolicy', 'DeleteRolePolicy', 'TagRole', 'UntagRole'],
  ecr: ['BatchGetImage', 'GetDownloadUrlForLayer', 'BatchCheckLayerAvailability'],
  servicediscovery: ['Create*', 'Update*', 'Delete*', 'TagResource', 'UntagResource'],
  scheduler: ['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule', 'GetSchedule'],
  // Create, Update, Delete, Get, (Dis)associate WebACL and GetWebACLForResource, in few characters.
  wafv2: ['*WebACL*', '*TagResource', 'ListTagsForResource'],
};

/** The boundary's reads, as patterns: none of them covers a sensitive read (secret values, objects, decryption). */
const READS = ['ec2', 'ecs', 'elasticloadbalancing', 'rds', 'elasticache', 'cloudtrail', 'cloudwatch', 'logs', 'acm', 'application-autoscaling', 'kms']
  .map((service) => `${service}:Describe*`)
  .concat(['ecs:List*', 'rds:List*', 'elasticache:List*', 'sqs:List*', 'cloudfront:List*', 'cloudtrail:Get*', 'cloudtrail:List*', 'cloudwatch:List*', 'logs:List*',
    'kms:List*', 'kms:GetKey*', 'secretsmanager:Describe*', 'secretsmanager:List*', 'secretsmanager:GetRandomPassword', 'iam:Get*', 'iam:List*', 'acm:List*',
    'sns:Get*', 'sns:List*', 'xray:GetSampling*', 'sts:GetCallerIdentity', 'application-autoscaling:ListTagsForResource',
    'servicediscovery:Get*', 'servicediscovery:List*', 'route53:GetHostedZone', 'route53:ListHostedZonesByName']);

/**
 * The ceiling of every role terrace creates or runs as. IAM caps a boundary at 6144 characters, so it names
 * verbs per service on all of that service's resources in this account and region (IAM takes the intersection
 * with the finer grants), keeps the boundary condition on new roles, and denies every way out.
 */
export function boundaryStatements(scope: DeployScope, stateBucketArn: string, stateKeyArn: string): Statement[] {
  const { accountId: a, region: r } = scope;
  const statements = deployStatements(scope);
  const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
  return [
    { Sid: 'Read', Effect: 'Allow', Action: READS, Resource: '*' },
    {
      Sid: 'Ceiling',
      Effect: 'Allow',
      Action: Object.entries(CEILING).flatMap(([service, verbs]) => verbs.map((v) => `${service}:${v}`)),
      // Every regional service's resources in this account and region (the state key among them) in one ARN: the
      // actions name the services, and one ARN per service would not fit.
      Resource: [
        `arn:aws:*:${r}:${a}:*`,
        `arn:aws:cloudfront::${a}:*`, `arn:aws:cloudwatch::${a}:dashboard/*`,
        // CloudFront's web ACL, alarm, topic and key live in us-east-1 whatever the region (the grants name them).
        `arn:aws:*:us-east-1:${a}:*`,
        'arn:aws:s3:::*-frontend-*', 'arn:aws:s3:::*-observability-*', 'arn:aws:s3:::*-compute-alb-logs-*', stateBucketArn, `${stateBucketArn}/*`,
        `arn:aws:iam::${a}:role${EXECUTION_ROLE_PATH}*`,
      ],
    },
    { Sid: 'OnlyOnStar', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'cloudwatch:PutMetricData', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'route53:CreateHostedZone'], Resource: '*' },
    ...['CreateTagged', 'RolesUnderTheBoundary', 'PassTerraceRoles', 'ServiceLinkedRoles'].map(bySid),
    {
      Sid: 'NoWayOut',
      Effect: 'Deny',
      Action: ['iam:DeleteRolePermissionsBoundary', 'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      Resource: [boundaryPolicyArn(a), `arn:aws:iam::${a}:role/*`],
    },
    // `role/terrace/*` and the managed-by tag take in the execution role and the state key themselves: neither may be
    // rewritten, re-trusted, re-policied, deleted, disabled or granted on (iam writes as verb prefixes to fit).
    {
      Sid: 'NotItself',
      Effect: 'Deny',
      Action: ['iam:Update*', 'iam:Put*', 'iam:Delete*', 'iam:Attach*', 'iam:Detach*', 'iam:TagRole', 'iam:UntagRole',
        'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:CreateGrant', 'kms:TagResource', 'kms:UntagResource'],
      Resource: [executionRoleArn(a), stateKeyArn],
    },
  ];
}

/** The backend's access to state: the objects of one bucket and its key. */
export function stateStatements(bucketArn: string, keyArn: string): Statement[] {
  return [
    { Sid: 'StateBucket', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketVersioning'], Resource: bucketArn },
    { Sid: 'StateObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `${bucketArn}/*` },
    { Sid: 'StateKey', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn },
  ];
}
