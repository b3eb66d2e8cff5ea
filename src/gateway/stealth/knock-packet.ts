import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Single-packet authorisation, version 1 (docs/gateway-stealth.md). Fixed 80-byte layout, big-endian:
 *   0  4  magic "MSPA"          4  1  version (1)          5  1  flags (0, reserved)
 *   6  2  requested TCP port    8  8  timestamp, ms since the Unix epoch
 *  16 16  random nonce         32 16  key id, ASCII, NUL-padded
 *  48 32  HMAC-SHA256(key, bytes 0..47)
 */
export const KNOCK_MAGIC = Buffer.from('MSPA', 'ascii');
export const KNOCK_VERSION = 1;
export const KNOCK_SIZE = 80;
const MAC_OFFSET = 48;
export const KEY_ID_RE = /^[A-Za-z0-9._-]{1,16}$/;

export interface Knock {
  port: number;
  timestampMs: number;
  nonce: Buffer;
  keyId: string;
}

export function encodeKnock(k: Knock, key: Buffer): Buffer {
  if (!KEY_ID_RE.test(k.keyId)) throw new RangeError('key id must be 1-16 of A-Z a-z 0-9 . _ -');
  if (!Number.isInteger(k.port) || k.port < 1 || k.port > 65535) throw new RangeError('port must be 1-65535');
  if (k.nonce.length !== 16) throw new RangeError('nonce must be 16 bytes');
  const p = Buffer.alloc(KNOCK_SIZE);
  KNOCK_MAGIC.copy(p, 0);
  p[4] = KNOCK_VERSION;
  p[5] = 0;
  p.writeUInt16BE(k.port, 6);
  p.writeBigUInt64BE(BigInt(k.timestampMs), 8);
  k.nonce.copy(p, 16);
  p.write(k.keyId, 32, 'ascii');
  createHmac('sha256', key).update(p.subarray(0, MAC_OFFSET)).digest().copy(p, MAC_OFFSET);
  return p;
}

export function newKnock(keyId: string, port: number, key: Buffer, nowMs = Date.now()): Buffer {
  return encodeKnock({ keyId, port, timestampMs: nowMs, nonce: randomBytes(16) }, key);
}

export type KnockParse =
  | { ok: true; knock: Knock; signed: Buffer; mac: Buffer }
  | { ok: false; reason: 'bad_size' | 'bad_header' | 'bad_key_id' };

/** Parses the layout only (no key needed); any buffer of any size gives a result, never a throw. */
export function parseKnock(p: Buffer): KnockParse {
  if (p.length !== KNOCK_SIZE) return { ok: false, reason: 'bad_size' };
  if (!p.subarray(0, 4).equals(KNOCK_MAGIC) || p[4] !== KNOCK_VERSION || p[5] !== 0)
    return { ok: false, reason: 'bad_header' };
  const idField = p.subarray(32, 48);
  const nul = idField.indexOf(0);
  const idBytes = nul < 0 ? idField : idField.subarray(0, nul);
  // Everything after the first NUL must be NUL too: one encoding per key id.
  if (nul >= 0 && idField.subarray(nul).some((b) => b !== 0)) return { ok: false, reason: 'bad_key_id' };
  const keyId = idBytes.toString('latin1');
  if (!KEY_ID_RE.test(keyId)) return { ok: false, reason: 'bad_key_id' };
  const ts = p.readBigUInt64BE(8);
  return {
    ok: true,
    knock: {
      port: p.readUInt16BE(6),
      timestampMs: ts > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(ts),
      nonce: Buffer.from(p.subarray(16, 32)),
      keyId,
    },
    signed: p.subarray(0, MAC_OFFSET),
    mac: p.subarray(MAC_OFFSET),
  };
}

export function macValid(signed: Buffer, mac: Buffer, key: Buffer): boolean {
  const expected = createHmac('sha256', key).update(signed).digest();
  return mac.length === expected.length && timingSafeEqual(mac, expected);
}
