import { Construct } from 'constructs';
import type { DataResource } from '../core/cdktf.ts';
import type { NetworkModel, SgKey } from '../model/network.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, fakeId, record } from './record.ts';

export interface LocalNetworkProps {
  readonly model: NetworkModel;
}

/** The network tier as terraform_data: VPC, subnets, NAT, routes, flow logs, security groups and rules. */
export class LocalNetwork extends Construct {
  readonly vpc: DataResource;
  readonly publicSubnets: DataResource[];
  readonly privateSubnets: DataResource[];
  readonly securityGroups: Record<SgKey, DataResource>;
  readonly outputs: Record<string, unknown>;

  constructor(scope: Construct, id: string, { model }: LocalNetworkProps) {
    super(scope, id);
    const azs = Array.from({ length: model.azCount }, (_, i) => `${LOCAL_REGION}-1${'abc'[i]}`);
    this.vpc = record(this, 'vpc', { name: model.name, cidr_block: model.cidr, enable_dns_support: true, enable_dns_hostnames: true });
    const vpcId = fakeId(this.vpc, 'vpc-');
    const igw = record(this, 'internet_gateway', { vpc_id: vpcId });

    const subnet = (kind: 'public' | 'private') => (s: NetworkModel['publicSubnets'][number], i: number) =>
      record(this, `${kind}_subnet_${i}`, { name: s.name, vpc_id: vpcId, cidr_block: s.cidr, availability_zone: azs[s.azIndex], map_public_ip_on_launch: false });
    this.publicSubnets = model.publicSubnets.map(subnet('public'));
    this.privateSubnets = model.privateSubnets.map(subnet('private'));
    const publicSubnetIds = this.publicSubnets.map((s) => fakeId(s, 'subnet-'));
    const privateSubnetIds = this.privateSubnets.map((s) => fakeId(s, 'subnet-'));

    const nats = model.natGateways.map((n, i) => record(this, `nat_gateway_${i}`, { name: n.name, subnet_id: publicSubnetIds[n.subnetIndex], elastic_ip: true }));
    const natIds = nats.map((n) => fakeId(n, 'nat-'));
    record(this, 'public_route_table', { vpc_id: vpcId, routes: [{ destination: '0.0.0.0/0', internet_gateway_id: fakeId(igw, 'igw-') }], subnet_ids: publicSubnetIds });
    model.privateRouteNat.forEach((nat, i) => {
      const routes = nat === undefined ? [] : [{ destination: '0.0.0.0/0', nat_gateway_id: natIds[nat] }];
      record(this, `private_route_table_${i}`, { vpc_id: vpcId, routes, subnet_ids: [privateSubnetIds[i]] });
    });
    const logsKey = record(this, 'logs_key', { alias: model.logsKey?.alias, enable_key_rotation: true, encryption_context_arn_like: model.logsKey?.logGroupArns });
    record(this, 'default_security_group', { vpc_id: vpcId, ingress: [], egress: [] });
    record(this, 'network_acls', { default_acl: { ingress: [], egress: [] }, subnets_acl: { allow_all: true, subnet_ids: [...publicSubnetIds, ...privateSubnetIds] } });
    record(this, 'vpc_endpoints', { gateway: ['s3'], interface: model.interfaceEndpoints ?? [] });
    record(this, 'flow_logs', {
      vpc_id: vpcId,
      traffic_type: 'ALL',
      log_group_name: model.flowLogs.logGroupName,
      retention_in_days: model.flowLogs.retentionDays,
      kms_key_alias: model.logsKey?.alias,
      iam_role_name: model.flowLogs.roleName,
    });

    const groups = Object.fromEntries(
      model.securityGroups.map((g) => [g.key, record(this, `security_group_${g.key}`, { name: g.name, description: g.description, vpc_id: vpcId })]),
    ) as Record<SgKey, DataResource>;
    this.securityGroups = groups;
    const sgId = (key: SgKey) => fakeId(groups[key], 'sg-');
    // Rules live apart from the groups: ALB and services reference each other.
    for (const g of model.securityGroups) {
      const rule = (r: (typeof g.ingress)[number]) => ({
        description: r.description,
        protocol: 'tcp',
        from_port: r.port,
        to_port: r.port,
        ...(r.cidr ? { cidr_ipv4: r.cidr } : { referenced_security_group_id: sgId(r.peer!) }),
      });
      record(this, `security_group_${g.key}_rules`, { security_group_id: sgId(g.key), ingress: g.ingress.map(rule), egress: g.egress.map(rule) });
    }

    this.outputs = {
      vpcId,
      vpcCidr: model.cidr,
      availabilityZones: azs,
      publicSubnetIds,
      privateSubnetIds,
      albSecurityGroupId: sgId('alb'),
      serviceSecurityGroupId: sgId('services'),
      postgresSecurityGroupId: sgId('postgres'),
      redisSecurityGroupId: sgId('redis'),
      natGatewayIds: natIds,
      logsKmsKeyArn: `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT}:key/${fakeId(logsKey, '', 32)}`,
    };
  }
}
