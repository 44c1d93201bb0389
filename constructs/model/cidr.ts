export interface Cidr {
  readonly version: 4 | 6;
  readonly address: bigint;
  readonly prefix: number;
}

/** An IPv4 or IPv6 CIDR however it is spelled (`::/0`, `::0/0`, `0:0:0:0:0:0:0:0/0`); undefined when it is none. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([0-9A-Fa-f:.]+)\/([0-9]{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const prefix = Number(m[2]);
  const v4 = ipv4(m[1]);
  if (v4 !== undefined) return prefix <= 32 ? { version: 4, address: v4, prefix } : undefined;
  const v6 = ipv6(m[1]);
  return v6 !== undefined && prefix <= 128 ? { version: 6, address: v6, prefix } : undefined;
}

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
    private: indexes.map((i) => `${toIp(base + i * quarter)}/${prefix + 2}`),
    public: indexes.map((i) => `${toIp(base + 3 * quarter + i * sixteenth)}/${prefix + 4}`),
  };
}

function toIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function ipv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4 || !octets.every((o) => /^[0-9]{1,3}$/.test(o) && Number(o) <= 255)) return undefined;
  return octets.reduce((acc, o) => acc * 256n + BigInt(o), 0n);
}

function ipv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const [head, tail] = halves.map((h) => (h === '' ? [] : h.split(':')));
  const last = tail ?? head;
  // A trailing dotted quad (`::ffff:1.2.3.4`) stands for the last two groups.
  if (last.at(-1)?.includes('.')) {
    const quad = ipv4(last.pop()!);
    if (quad === undefined) return undefined;
    last.push((quad >> 16n).toString(16), (quad & 0xffffn).toString(16));
  }
  const zeros = 8 - head.length - (tail?.length ?? 0);
  if (tail ? zeros < 1 : zeros !== 0) return undefined;
  const groups = [...head, ...Array<string>(tail ? zeros : 0).fill('0'), ...(tail ?? [])];
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}
