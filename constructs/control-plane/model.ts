import type { ControlPlaneSpec } from '../../specs/control-plane.ts';
import { executionRoleArn } from '../bootstrap/names.ts';
import { subnetCidrs } from '../model/cidr.ts';
import type { NetworkModel } from '../model/network.ts';

export const NAME = 'terrace';
export const PORT = 8080;
export const DATA_DIR = '/var/lib/terrace';
/** The longest grace Fargate allows between SIGTERM and SIGKILL: terraform gets it to stop cleanly and unlock. */
export const STOP_TIMEOUT_SECONDS = 120;
export const ADMIN_TOKEN_SECRET = 'terrace/admin-token';

/** Everything the control plane stack derives from its document, computed once. */
export interface ControlPlaneModel {
  readonly spec: ControlPlaneSpec;
  readonly network: NetworkModel;
  /** The role the task may assume in each target account (what the bootstrap creates). */
  readonly targetRoleArns: readonly string[];
  readonly tableName: string;
  readonly logGroupName: string;
}

export function controlPlaneModel(spec: ControlPlaneSpec): ControlPlaneModel {
  const azCount = 2;
  const cidrs = subnetCidrs(spec.cidr, azCount);
  return {
    spec,
    network: {
      name: NAME,
      cidr: spec.cidr,
      azCount,
      publicSubnets: cidrs.public.map((cidr, i) => ({ name: `${NAME}-public-${i + 1}`, cidr, azIndex: i })),
      privateSubnets: cidrs.private.map((cidr, i) => ({ name: `${NAME}-private-${i + 1}`, cidr, azIndex: i })),
      // One NAT per AZ: terraform reaches AWS APIs from both, and one AZ down leaves the other working.
      natGateways: Array.from({ length: azCount }, (_, i) => ({ name: `${NAME}-nat-${i + 1}`, subnetIndex: i })),
      privateRouteNat: Array.from({ length: azCount }, (_, i) => i),
      securityGroups: [],
      flowLogs: { logGroupName: `/terrace/control-plane/vpc-flow-logs`, retentionDays: 90, roleName: `${NAME}-flow-logs` },
    },
    targetRoleArns: spec.targetAccounts.map((account) => executionRoleArn(account)),
    tableName: NAME,
    logGroupName: '/terrace/control-plane',
  };
}

/** The ECR repository of an image `<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag|@digest]`, else undefined. */
export function ecrRepositoryArn(image: string): string | undefined {
  const m = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([a-z0-9._/-]+?)(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})?$/.exec(image);
  return m ? `arn:aws:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}
