import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import type { NetworkModel } from '../../model/network.ts';
import { assumedBy, policyDocument } from '../policy.ts';

export interface AwsFlowLogsProps {
  readonly model: NetworkModel;
  readonly vpcId: string;
  /** The environment's logs key; the control plane's flow logs have none. */
  readonly kmsKeyArn?: string;
}

/** VPC flow logs (accepted and rejected) to a KMS-encrypted CloudWatch log group, through a role that may write only there. */
export class AwsFlowLogs extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly flowLog: FlowLog;

  constructor(scope: Construct, id: string, { model, vpcId, kmsKeyArn }: AwsFlowLogsProps) {
    super(scope, id);
    const { flowLogs } = model;
    this.logGroup = new CloudwatchLogGroup(this, 'log_group', { name: flowLogs.logGroupName, retentionInDays: flowLogs.retentionDays, kmsKeyId: kmsKeyArn });
    const role = new IamRole(this, 'role', { name: flowLogs.roleName, assumeRolePolicy: assumedBy('vpc-flow-logs.amazonaws.com') });
    new IamRolePolicy(this, 'policy', {
      role: role.id,
      name: 'write-flow-logs',
      policy: policyDocument({
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: [this.logGroup.arn, `${this.logGroup.arn}:*`],
      }),
    });
    this.flowLog = new FlowLog(this, 'flow_log', {
      vpcId,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: this.logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
    });
  }
}
