/**
 * Subnet layout of a VPC: the first three quarters hold the private subnets (one quarter per AZ), the last
 * quarter is cut in four for the public ones, which only carry the ALB and NAT gateways. A /24 VPC still
 * gets /26 private and /28 public subnets, the smallest AWS allows.
 */
export function subnetCidrs(vpcCidr: string, azCount: number): { public: string[]; private: string[] } {
  const [ip, bits] = vpcCidr.split('/');
  const base = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const prefix = Number(bits);
  const quarter = 2 ** (32 - prefix - 2);
  const sixteenth = quarter / 4;
  const indexes = Array.from({ length: azCount }, (_, i) => i);
  return {
    private: indexes.map((i) => `${toIp(base + i * quarter)}/${prefix + 2}`),
    public: indexes.map((i) => `${toIp(base + 3 * quarter + i * sixteenth)}/${prefix + 4}`),
  };
}

function toIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
