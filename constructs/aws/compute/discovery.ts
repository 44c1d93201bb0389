import { Construct } from 'constructs';
import { ServiceDiscoveryPrivateDnsNamespace } from '@cdktf/provider-aws/lib/service-discovery-private-dns-namespace/index.js';
import { ServiceDiscoveryService } from '@cdktf/provider-aws/lib/service-discovery-service/index.js';
import type { DiscoveryModel, ServiceModel } from '../../model/compute.ts';

export interface ServiceDiscoveryProps {
  readonly model: DiscoveryModel;
  readonly services: readonly ServiceModel[];
  readonly vpcId: string;
}

/**
 * Cloud Map: a private DNS namespace (`<environment>.internal`, a Route 53 private hosted zone on the VPC) and one
 * discovery service per ECS service. ECS registers each awsvpc task's address as an A record and, through the
 * custom health check, takes it out when the task stops being healthy.
 */
export class ServiceDiscovery extends Construct {
  readonly namespace: ServiceDiscoveryPrivateDnsNamespace;
  readonly registries: Map<string, ServiceDiscoveryService>;

  constructor(scope: Construct, id: string, { model, services, vpcId }: ServiceDiscoveryProps) {
    super(scope, id);
    this.namespace = new ServiceDiscoveryPrivateDnsNamespace(this, 'namespace', { name: model.namespaceName, description: model.description, vpc: vpcId });
    this.registries = new Map(services.map((s) => [s.name, new ServiceDiscoveryService(this, `service_${s.name}`, {
      name: s.discovery.name,
      dnsConfig: {
        namespaceId: this.namespace.id,
        dnsRecords: [{ type: 'A', ttl: model.ttl }],
        routingPolicy: 'MULTIVALUE',
      },
      // failure_threshold is ForceNew and not computed: left out, every plan would replace the service.
      healthCheckCustomConfig: { failureThreshold: 1 },
      // Instances are ECS's: it deregisters them as tasks stop, and a destroy must not wait on a stale one.
      forceDestroy: true,
    })]));
  }
}
