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

/** `167772160` -> `10.0.0.0` */
export function formatIpv4(value: number | bigint): string {
  const n = Number(value);
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
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
