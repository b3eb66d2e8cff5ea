import { isIPv4 } from 'node:net';
import { macValid, parseKnock } from './knock-packet.ts';
import type { ReplayCache } from './replay-cache.ts';

export type KnockVerdict =
  | { outcome: 'admit'; keyId: string; port: number; src: string; family: 4 | 6 }
  | { outcome: 'reject'; reason: KnockRejectReason; keyId?: string; port?: number };

export type KnockRejectReason =
  | 'bad_size'
  | 'bad_header'
  | 'bad_key_id'
  | 'unknown_key'
  | 'bad_mac'
  | 'stale'
  | 'port_not_allowed'
  | 'replay'
  | 'replay_cache_full';

export interface KnockPolicy {
  keys: Map<string, Buffer>;
  allowedPorts: ReadonlySet<number>;
  windowMs: number;
  cache: ReplayCache;
}

/**
 * Judges one datagram. Order matters: nothing is trusted before the MAC checks out, and only
 * authenticated knocks enter the replay cache (so garbage cannot fill it).
 */
export function judgeKnock(packet: Buffer, srcAddress: string, nowMs: number, p: KnockPolicy): KnockVerdict {
  const parsed = parseKnock(packet);
  if (!parsed.ok) return { outcome: 'reject', reason: parsed.reason };
  const { knock } = parsed;
  const key = p.keys.get(knock.keyId);
  if (!key) return { outcome: 'reject', reason: 'unknown_key', keyId: knock.keyId };
  if (!macValid(parsed.signed, parsed.mac, key)) return { outcome: 'reject', reason: 'bad_mac', keyId: knock.keyId };
  const meta = { keyId: knock.keyId, port: knock.port };
  if (Math.abs(nowMs - knock.timestampMs) > p.windowMs) return { outcome: 'reject', reason: 'stale', ...meta };
  if (!p.allowedPorts.has(knock.port)) return { outcome: 'reject', reason: 'port_not_allowed', ...meta };
  const seen = p.cache.check(
    `${knock.keyId}:${knock.nonce.toString('hex')}`,
    knock.timestampMs + p.windowMs + 1,
    nowMs,
  );
  if (seen === 'replay') return { outcome: 'reject', reason: 'replay', ...meta };
  if (seen === 'full') return { outcome: 'reject', reason: 'replay_cache_full', ...meta };
  const src = srcAddress.startsWith('::ffff:') && isIPv4(srcAddress.slice(7)) ? srcAddress.slice(7) : srcAddress;
  return { outcome: 'admit', ...meta, src, family: isIPv4(src) ? 4 : 6 };
}
