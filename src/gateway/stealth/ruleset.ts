import { isIP } from 'node:net';

export const STEALTH_TABLE = 'msec_stealth';
export const DEFAULT_KNOCK_PORT = 62201;
export const knockSetName = (family: 4 | 6) => (family === 4 ? 'knocked4' : 'knocked6');

export interface Endpoint {
  address: string;
  port: number;
}

export interface RulesetOptions {
  /** Where the gateway ships to (the hub / monitor): the only new outbound TCP allowed, with DNS. */
  hubs: Endpoint[];
  mgmtPort: number;
  knockPort: number;
  /** Only this interface is hardened; traffic on others (the device LAN) is left alone. */
  uplink?: string;
  dns: string[];
  allowOut: Endpoint[];
  generatedBy: string;
}

const fam = (a: string) => (isIP(a) === 6 ? 6 : 4);
const elems = (list: Endpoint[], f: 4 | 6) =>
  list
    .filter((e) => fam(e.address) === f)
    .map((e) => `${e.address} . ${e.port}`)
    .join(', ');

/**
 * The nftables ruleset of a stealth gateway. Unsolicited inbound packets are dropped (never rejected),
 * and the gateway itself never sends a TCP reset or ICMP unreachable, so a scan sees every port as
 * filtered; the management port accepts new connections only from `<source> . <port>` elements knockd
 * adds with a timeout.
 */
export function buildRuleset(o: RulesetOptions): string {
  const inIf = o.uplink ? `iifname != "${o.uplink}" accept comment "only the uplink is hardened"` : '';
  const outIf = o.uplink ? `oifname != "${o.uplink}" accept` : '';
  const set = (name: string, type: string, list?: string) =>
    `  set ${name} {\n    type ${type}\n${list === undefined ? '    flags timeout\n' : list ? `    elements = { ${list} }\n` : ''}  }`;
  const dns4 = o.dns.filter((a) => fam(a) === 4);
  const dns6 = o.dns.filter((a) => fam(a) === 6);
  const lines = [
    '#!/usr/sbin/nft -f',
    `# ${o.generatedBy}`,
    `# Load with: nft -f <this file>   (atomic; replaces only table inet ${STEALTH_TABLE})`,
    `table inet ${STEALTH_TABLE}`,
    `delete table inet ${STEALTH_TABLE}`,
    '',
    `table inet ${STEALTH_TABLE} {`,
    set(knockSetName(4), 'ipv4_addr . inet_service'),
    set(knockSetName(6), 'ipv6_addr . inet_service'),
    set('out4', 'ipv4_addr . inet_service', elems([...o.hubs, ...o.allowOut], 4)),
    set('out6', 'ipv6_addr . inet_service', elems([...o.hubs, ...o.allowOut], 6)),
    '',
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    iif "lo" accept',
    inIf && `    ${inIf}`,
    '    ct state established,related accept',
    '    ct state invalid drop',
    `    udp dport ${o.knockPort} accept comment "knock packets for msec knockd, which never answers"`,
    `    tcp dport ${o.mgmtPort} ip saddr . tcp dport @${knockSetName(4)} ct state new accept comment "management port: knocked sources only"`,
    `    tcp dport ${o.mgmtPort} ip6 saddr . tcp dport @${knockSetName(6)} ct state new accept`,
    '    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept comment "IPv6 needs neighbour discovery"',
    '    counter drop comment "unsolicited: dropped silently"',
    '  }',
    '',
    '  chain output {',
    '    type filter hook output priority filter; policy drop;',
    '    oif "lo" accept',
    outIf && `    ${outIf}`,
    '    # Before the established/related accept: an ICMP error for a dropped or unserved packet is "related".',
    '    icmp type destination-unreachable drop',
    '    icmpv6 type destination-unreachable drop',
    '    tcp flags & rst == rst ct state != established drop comment "no reset for anything but our own connections"',
    '    ct state established,related accept',
    '    ip daddr . tcp dport @out4 accept',
    '    ip6 daddr . tcp dport @out6 accept',
    dns4.length ? `    ip daddr { ${dns4.join(', ')} } meta l4proto { tcp, udp } th dport 53 accept` : '',
    dns6.length ? `    ip6 daddr { ${dns6.join(', ')} } meta l4proto { tcp, udp } th dport 53 accept` : '',
    '    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } accept',
    '    counter drop',
    '  }',
    '}',
    '',
  ];
  return lines.filter((l) => l !== '').join('\n') + '\n';
}
