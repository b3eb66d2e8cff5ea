/** Community ID flow hash v1 (https://github.com/corelight/community-id-spec), as Suricata writes it. */
import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';

const PROTO = { TCP: 6, UDP: 17, ICMP: 1 } as const;

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  throw new Error(`community id: only IPv4 is used by the demo (${ip})`);
}

export function communityId(
  src: string,
  dst: string,
  proto: keyof typeof PROTO,
  sport: number,
  dport: number,
  seed = 0,
): string {
  let [a, b, pa, pb] = [ipBytes(src), ipBytes(dst), sport, dport];
  // The flow's two ends in a canonical order, so both directions hash alike.
  const cmp = Buffer.compare(a, b);
  if (cmp > 0 || (cmp === 0 && pa > pb)) [a, b, pa, pb] = [b, a, pb, pa];
  const head = Buffer.alloc(2);
  head.writeUInt16BE(seed);
  const tail = Buffer.alloc(6);
  tail[0] = PROTO[proto];
  tail.writeUInt16BE(pa, 2);
  tail.writeUInt16BE(pb, 4);
  return `1:${createHash('sha1')
    .update(Buffer.concat([head, a, b, tail]))
    .digest('base64')}`;
}
