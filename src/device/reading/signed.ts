/**
 * Signed readings: a COSE_Sign1 (ES256, kid = device id, both in the protected header) whose
 * payload is the reading map. Verification is strict about everything a hub relies on.
 */
import type { KeyObject } from 'node:crypto';
import { MsecError } from '../../core/errors.ts';
import type { DeviceKeyStore } from '../keystore/keystore.ts';
import { Alg, Header } from '../cose/headers.ts';
import { coseError } from '../cose/errors.ts';
import { createSign1, decodeSign1, verifySign1Message, verifySign1MessageAsync } from '../cose/sign1.ts';
import { decodeReadingPayload, encodeReadingPayload, type Reading } from './payload.ts';

/** Largest signed reading accepted, checked before any decoding. */
export const MAX_SIGNED_READING_BYTES = 16 * 1024;

export type ResolveKey = (kid: string) => KeyObject | undefined | Promise<KeyObject | undefined>;

export interface VerifiedReading {
  reading: Reading;
  kid: string;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Signs `reading` with the key store's key `keyLabel`; `kid` must equal the reading's device id. */
export async function signReading(
  keyStore: DeviceKeyStore,
  keyLabel: string,
  kid: string,
  reading: Reading,
): Promise<Uint8Array> {
  if (kid !== reading.deviceId) {
    throw new MsecError('READING_INVALID', 'kid must equal the reading device id', { status: 400 });
  }
  return createSign1({
    payload: encodeReadingPayload(reading),
    alg: Alg.ES256,
    kid: utf8.encode(kid),
    sign: (toBeSigned) => keyStore.sign(keyLabel, toBeSigned),
  });
}

/**
 * Verifies a signed reading: size, structure, alg ES256 and kid in the protected header, known
 * key, signature, then the payload schema and kid == device id. Throws COSE_* or READING_INVALID.
 * With `offload`, the signature is checked on libuv's thread pool (a server verifying many
 * readings at once then uses every core); readings verified together may then settle out of
 * order, and `resolveKey`, called synchronously in call order, is where a caller can mark arrival.
 */
export async function verifyReading(
  bytes: Uint8Array,
  resolveKey: ResolveKey,
  options: { offload?: boolean } = {},
): Promise<VerifiedReading> {
  const msg = decodeSign1(bytes, MAX_SIGNED_READING_BYTES);
  if (msg.headers.protected.get(Header.alg) !== Alg.ES256) {
    throw coseError('COSE_UNSUPPORTED_ALG', 'readings must be signed with ES256 in the protected header');
  }
  const kidBytes = msg.headers.protected.get(Header.kid);
  if (!(kidBytes instanceof Uint8Array) || kidBytes.length === 0 || kidBytes.length > 128) {
    throw coseError('COSE_MALFORMED', 'readings must carry a kid (1 to 128 bytes) in the protected header');
  }
  let kid: string;
  try {
    kid = utf8Decoder.decode(kidBytes);
  } catch {
    throw coseError('COSE_MALFORMED', 'kid must be UTF-8 text');
  }
  // Cached keys come back synchronously: no extra microtask turn per reading then.
  const resolved = resolveKey(kid);
  const key = resolved instanceof Promise ? await resolved : resolved;
  if (!key) throw coseError('COSE_UNKNOWN_KID', 'no key is registered for this kid', { kid });
  if (options.offload) await verifySign1MessageAsync(msg, key);
  else verifySign1Message(msg, key);
  const reading = decodeReadingPayload(msg.payload);
  if (reading.deviceId !== kid) {
    throw new MsecError('READING_INVALID', 'the payload device id does not match the signing kid', {
      status: 400,
      details: { kid },
    });
  }
  return { reading, kid };
}

/**
 * A bounded cache of verification KeyObjects by kid in front of a slower lookup (database, JWK
 * parse): parsing a key per message costs several times the verification itself.
 */
export class VerificationKeyCache {
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    private readonly lookup: ResolveKey,
    private readonly maxEntries = 10_000,
  ) {}

  /** Bound resolver to hand to verifyReading. */
  readonly resolve = (kid: string): KeyObject | undefined | Promise<KeyObject | undefined> => {
    const hit = this.keys.get(kid);
    if (hit) return hit;
    return this.load(kid);
  };

  private async load(kid: string): Promise<KeyObject | undefined> {
    const key = await this.lookup(kid);
    if (key) {
      if (this.keys.size >= this.maxEntries) {
        const oldest = this.keys.keys().next();
        if (!oldest.done) this.keys.delete(oldest.value);
      }
      this.keys.set(kid, key);
    }
    return key;
  }

  /** Forget a kid (key rotation or revocation). */
  invalidate(kid: string): void {
    this.keys.delete(kid);
  }

  get size(): number {
    return this.keys.size;
  }
}
