import { describe, expect, it } from 'vitest';
import { awsExample, awsTier, resources, withSpec } from '../../testing/fixtures.ts';

describe('AWS network tier', () => {
  it('spreads public and private subnets over azCount AZs with one NAT per AZ when asked', async () => {
    const { tf } = await awsTier('chat-prod', 'network');
    const subnets = Object.values(resources(tf, 'aws_subnet'));
    expect(subnets.map((s) => s.cidr_block).sort()).toEqual(['10.30.0.0/18', '10.30.128.0/18', '10.30.192.0/20', '10.30.208.0/20', '10.30.224.0/20', '10.30.64.0/18']);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    expect(Object.keys(resources(tf, 'aws_nat_gateway'))).toHaveLength(3);
    const privateRoutes = ['0', '1', '2'].map((i) => resources(tf, 'aws_route_table')[`network_routing_private_${i}`].route[0].nat_gateway_id);
    expect(privateRoutes).toEqual(['${aws_nat_gateway.network_routing_nat_gateway_0.id}', '${aws_nat_gateway.network_routing_nat_gateway_1.id}', '${aws_nat_gateway.network_routing_nat_gateway_2.id}']);
  });

  it('shares one NAT gateway when natGateways is 1', async () => {
    const { tf } = await awsTier('chat-staging', 'network');
    expect(Object.keys(resources(tf, 'aws_nat_gateway'))).toEqual(['network_routing_nat_gateway_0']);
  });

  it('sends flow logs to CloudWatch through a role limited to that log group', async () => {
    const { tf } = await awsTier('chat-staging', 'network');
    expect(resources(tf, 'aws_flow_log').network_flow_logs_flow_log).toMatchObject({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs', vpc_id: '${aws_vpc.network_vpc_vpc.id}' });
    expect(resources(tf, 'aws_cloudwatch_log_group').network_flow_logs_log_group).toMatchObject({ name: '/terrace/chat-staging/vpc-flow-logs', retention_in_days: 30 });
    const policy = JSON.parse(resources(tf, 'aws_iam_role_policy').network_flow_logs_policy.policy);
    expect(policy.Statement[0].Resource).toEqual(['${aws_cloudwatch_log_group.network_flow_logs_log_group.arn}', '${aws_cloudwatch_log_group.network_flow_logs_log_group.arn}:*']);
  });

  it('opens only the ALB to the internet, and chains ALB -> services -> data stores', async () => {
    const { tf } = await awsTier('chat-staging', 'network');
    const ingress = Object.values(resources(tf, 'aws_vpc_security_group_ingress_rule'));
    const open = ingress.filter((r) => r.cidr_ipv4 === '0.0.0.0/0');
    expect(open.map((r) => [r.security_group_id, r.from_port]).sort()).toEqual([['${aws_security_group.network_sg_alb.id}', 443], ['${aws_security_group.network_sg_alb.id}', 80]]);
    const byGroup = (g: string) => ingress.filter((r) => r.security_group_id === `\${aws_security_group.network_sg_${g}.id}`).map((r) => [r.from_port, r.referenced_security_group_id]);
    expect(byGroup('services')).toEqual([[8000, '${aws_security_group.network_sg_alb.id}'], [8000, '${aws_security_group.network_sg_services.id}']]);
    expect(byGroup('postgres')).toEqual([[5432, '${aws_security_group.network_sg_services.id}']]);
    expect(byGroup('redis')).toEqual([[6379, '${aws_security_group.network_sg_services.id}']]);
  });

  it('lets services reach each other on the service ports only, by rules of the services group with itself', async () => {
    const { tf } = await awsTier('chat-staging', 'network');
    const sg = '${aws_security_group.network_sg_services.id}';
    expect(resources(tf, 'aws_vpc_security_group_ingress_rule').network_sg_services_ingress_self_8000).toEqual(expect.objectContaining({
      security_group_id: sg, referenced_security_group_id: sg, ip_protocol: 'tcp', from_port: 8000, to_port: 8000, description: 'from services on 8000',
    }));
    expect(resources(tf, 'aws_vpc_security_group_ingress_rule').network_sg_services_ingress_8000.referenced_security_group_id).toBe('${aws_security_group.network_sg_alb.id}');
    const egress = Object.values(resources(tf, 'aws_vpc_security_group_egress_rule')).filter((r) => r.security_group_id === sg && r.referenced_security_group_id === sg);
    expect(egress.map((r) => [r.from_port, r.to_port])).toEqual([[8000, 8000]]);
  });

  it('takes over the default security group and default network ACL with no rules; subnets use an allow-all ACL of their own', async () => {
    const { tf, result } = await awsTier('chat-prod', 'network');
    expect(result.violations).toEqual([]);
    expect(resources(tf, 'aws_default_security_group').network_defaults_security_group).toMatchObject({ vpc_id: '${aws_vpc.network_vpc_vpc.id}', ingress: [], egress: [] });
    const deny = resources(tf, 'aws_default_network_acl').network_defaults_network_acl;
    expect(deny).toMatchObject({ default_network_acl_id: '${aws_vpc.network_vpc_vpc.default_network_acl_id}', ingress: [], egress: [], lifecycle: { ignore_changes: ['subnet_ids'] } });
    const own = resources(tf, 'aws_network_acl').network_defaults_subnets_network_acl;
    expect(own.subnet_ids).toHaveLength(6);
    expect(own.subnet_ids).toEqual(expect.arrayContaining(['${aws_subnet.network_vpc_public_subnet_0.id}', '${aws_subnet.network_vpc_private_subnet_2.id}']));
    expect([own.ingress, own.egress]).toEqual([[expect.objectContaining({ action: 'allow', protocol: '-1' })], [expect.objectContaining({ action: 'allow', protocol: '-1' })]]);
  });

  it('routes S3 through a gateway endpoint on every route table; interface endpoints only when asked, HTTPS from the VPC only', async () => {
    const { tf } = await awsTier('chat-prod', 'network');
    const s3 = resources(tf, 'aws_vpc_endpoint').network_endpoints_s3;
    expect(s3).toMatchObject({ service_name: 'com.amazonaws.eu-west-1.s3', vpc_endpoint_type: 'Gateway' });
    expect(s3.route_table_ids).toEqual(['public', 'private_0', 'private_1', 'private_2'].map((t) => `\${aws_route_table.network_routing_${t}.id}`));
    expect(Object.keys(resources(tf, 'aws_vpc_endpoint'))).toEqual(['network_endpoints_s3']);

    const { environment } = awsExample('chat-prod');
    const withEndpoints = (await awsTier('chat-prod', 'network', undefined, withSpec(environment, (s) => (s.network.interfaceEndpoints = true)))).tf;
    const endpoints = Object.values(resources(withEndpoints, 'aws_vpc_endpoint')).filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(endpoints.map((e) => e.service_name).sort()).toEqual(['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sqs', 'sts'].map((n) => `com.amazonaws.eu-west-1.${n}`));
    expect(endpoints.every((e) => e.private_dns_enabled === true && e.subnet_ids.length === 3 && e.security_group_ids[0] === '${aws_security_group.network_endpoints_security_group.id}')).toBe(true);
    const rules = Object.values(resources(withEndpoints, 'aws_vpc_security_group_ingress_rule')).filter((r) => r.security_group_id === '${aws_security_group.network_endpoints_security_group.id}');
    expect(rules).toEqual([expect.objectContaining({ from_port: 443, to_port: 443, ip_protocol: 'tcp', cidr_ipv4: '${aws_vpc.network_vpc_vpc.cidr_block}' })]);
    expect(() => withSpec(environment, (s) => (s.network.interfaceEndpoints = 'yes'))).toThrow(/network\.interfaceEndpoints/);
  });

  it('encrypts the flow-log group with the logs key, which CloudWatch Logs may use for /terrace/<env>/ log groups only', async () => {
    const { tf } = await awsTier('chat-prod', 'network');
    expect(resources(tf, 'aws_cloudwatch_log_group').network_flow_logs_log_group.kms_key_id).toBe('${aws_kms_key.network_logs_key_key.arn}');
    const key = resources(tf, 'aws_kms_key').network_logs_key_key;
    expect(key.enable_key_rotation).toBe(true);
    const logs = JSON.parse(key.policy).Statement.find((s: { Principal: { Service?: string } }) => s.Principal.Service === 'logs.eu-west-1.amazonaws.com');
    expect(logs.Condition).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:333333333333:log-group:/terrace/chat-prod/*' } });
    expect(tf.output!.logsKmsKeyArn.value).toBe('${aws_kms_key.network_logs_key_key.arn}');
    // The services' log groups in compute use it, through the network tier's output.
    const compute = (await awsTier('chat-prod', 'compute')).tf;
    expect(resources(compute, 'aws_cloudwatch_log_group').compute_web_log_group.kms_key_id).toBe('${data.terraform_remote_state.remote_state_network.outputs.logsKmsKeyArn}');
  });
});
