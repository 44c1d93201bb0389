import { parseCidr } from '../model/cidr.ts';
import { blocks, list, resourcesOf, violation, type Block, type GuardrailViolation, type TfStack } from './stack.ts';

const RULE = 'no-open-ingress';
/** Wider than a /8 is the internet at large, however spelled: `0.0.0.0/0`, `::0/0`, two `/1` halves, `2000::/3`. */
const MIN_PREFIX = 8;
/** The tag terrace puts on the ALB's group: the only group that may take 80/443 from anywhere. */
export const PUBLIC_ALB_TAG = 'terrace:purpose';
export const PUBLIC_ALB_PURPOSE = 'public-alb';
const PUBLIC_PORTS = new Set([80, 443]);

/** No ingress from the internet (any CIDR wider than a /8), except TCP 80/443 into the public ALB's security group. */
export function openIngress(stack: TfStack): GuardrailViolation[] {
  const out: GuardrailViolation[] = [];
  const albGroups = new Set(
    resourcesOf(stack, 'aws_security_group').filter(([, sg]) => sg.tags?.[PUBLIC_ALB_TAG] === PUBLIC_ALB_PURPOSE).map(([address]) => address),
  );
  const allowed = (groupRef: unknown, rule: Block) =>
    [...albGroups].some((a) => typeof groupRef === 'string' && groupRef.includes(`\${${a}.`)) &&
    rule.from_port === rule.to_port && PUBLIC_PORTS.has(Number(rule.from_port)) && ['tcp', '6'].includes(String(rule.ip_protocol ?? rule.protocol));
  const report = (address: string, what: string, cidrs: unknown[]) => out.push(violation(RULE, address, `${what} is open to the internet (${cidrs.join(', ')})`));

  for (const [address, sg] of resourcesOf(stack, 'aws_security_group')) {
    blocks(sg.ingress).forEach((rule, i) => {
      const open = [...list(rule.cidr_blocks), ...list(rule.ipv6_cidr_blocks)].filter(isOpen);
      if (open.length > 0 && !(albGroups.has(address) && allowed(`\${${address}.id}`, rule))) report(address, `ingress[${i}] (ports ${rule.from_port}-${rule.to_port})`, open);
    });
  }
  for (const [address, rule] of resourcesOf(stack, 'aws_vpc_security_group_ingress_rule')) {
    const open = [rule.cidr_ipv4, rule.cidr_ipv6].filter(isOpen);
    if (open.length > 0 && !allowed(rule.security_group_id, rule)) report(address, `ingress (${rule.ip_protocol} ${rule.from_port ?? 'all'}-${rule.to_port ?? 'all'})`, open);
  }
  for (const [address, rule] of resourcesOf(stack, 'aws_security_group_rule')) {
    if (rule.type !== 'ingress') continue;
    const open = [...list(rule.cidr_blocks), ...list(rule.ipv6_cidr_blocks)].filter(isOpen);
    if (open.length > 0 && !allowed(rule.security_group_id, rule)) report(address, `ingress (${rule.protocol} ${rule.from_port}-${rule.to_port})`, open);
  }
  return out;
}

/** A literal CIDR terrace cannot read is not trusted; an interpolation (a VPC's CIDR) is known only at apply. */
function isOpen(cidr: unknown): boolean {
  if (typeof cidr !== 'string' || cidr.includes('${')) return false;
  const parsed = parseCidr(cidr);
  return !parsed || parsed.prefix < MIN_PREFIX;
}
