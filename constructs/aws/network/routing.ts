import { Construct } from 'constructs';
import { Eip } from '@cdktf/provider-aws/lib/eip/index.js';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway/index.js';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association/index.js';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table/index.js';
import type { NetworkModel } from '../../model/network.ts';
import type { AwsVpc } from './vpc.ts';

export interface AwsRoutingProps {
  readonly model: NetworkModel;
  readonly vpc: AwsVpc;
}

/** Public subnets route to the internet gateway; private ones to their NAT gateway, when there is one. */
export class AwsRouting extends Construct {
  readonly natGateways: NatGateway[];
  /** Public first, then one per private subnet: where gateway endpoints add their routes. */
  readonly routeTables: RouteTable[] = [];

  constructor(scope: Construct, id: string, { model, vpc }: AwsRoutingProps) {
    super(scope, id);
    this.natGateways = model.natGateways.map((n, i) => {
      const eip = new Eip(this, `nat_eip_${i}`, { domain: 'vpc', tags: { Name: n.name } });
      return new NatGateway(this, `nat_gateway_${i}`, {
        allocationId: eip.allocationId,
        subnetId: vpc.publicSubnets[n.subnetIndex].id,
        tags: { Name: n.name },
        dependsOn: [vpc.internetGateway],
      });
    });

    const publicTable = new RouteTable(this, 'public', {
      vpcId: vpc.vpc.id,
      route: [{ cidrBlock: '0.0.0.0/0', gatewayId: vpc.internetGateway.id }],
      tags: { Name: `${model.name}-public` },
    });
    this.routeTables.push(publicTable);
    vpc.publicSubnets.forEach((s, i) => new RouteTableAssociation(this, `public_${i}`, { subnetId: s.id, routeTableId: publicTable.id }));

    model.privateRouteNat.forEach((nat, i) => {
      const table = new RouteTable(this, `private_${i}`, {
        vpcId: vpc.vpc.id,
        route: nat === undefined ? [] : [{ cidrBlock: '0.0.0.0/0', natGatewayId: this.natGateways[nat].id }],
        tags: { Name: `${model.name}-private-${i + 1}` },
      });
      this.routeTables.push(table);
      new RouteTableAssociation(this, `private_${i}_association`, { subnetId: vpc.privateSubnets[i].id, routeTableId: table.id });
    });
  }
}
