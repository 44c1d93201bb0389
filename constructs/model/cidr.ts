import { formatIpv4, parseCidr } from '../../specs/cidr.ts';

export { parseCidr, type Cidr } from '../../specs/cidr.ts';

/**
 * Subnet layout of a VPC: the first three quarters hold the private subnets (one quarter per AZ), the last
 * quarter is cut in four for the public ones, which only carry the ALB and NAT gateways. A /24 VPC still
 * gets /26 private and /28 public subnets, the smallest AWS allows.
 */
export function subnetCidrs(vpcCidr: string, azCount: number): { public: string[]; private: string[] } {
  const cidr = parseCidr(vpcCidr);
  if (cidr?.version !== 4) throw new Error(`not an IPv4 CIDR: ${vpcCidr}`);
  const base = Number(cidr.address);
  const prefix = cidr.prefix;
  const quarter = 2 ** (32 - prefix - 2);
  const sixteenth = quarter / 4;
  const indexes = Array.from({ length: azCount }, (_, i) => i);
  return {
    private: indexes.map((i) => `${formatIpv4(base + i * quarter)}/${prefix + 2}`),
    public: indexes.map((i) => `${formatIpv4(base + 3 * quarter + i * sixteenth)}/${prefix + 4}`),
  };
}
