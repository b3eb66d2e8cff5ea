/**
 * COSE header labels and algorithm identifiers (IANA COSE registries) and the shared parsing of
 * the [protected bstr, unprotected map] pair that every COSE structure starts with.
 */
import { decodeCbor, CborTag, type CborKey, type CborValue } from './cbor.ts';
import { coseError } from './errors.ts';

export const Header = {
  alg: 1,
  crit: 2,
  contentType: 3,
  kid: 4,
  iv: 5,
  partialIv: 6,
  ephemeralKey: -1,
  staticKey: -2,
  staticKeyId: -3,
  salt: -20,
  partyUIdentity: -21,
  partyUNonce: -22,
  partyUOther: -23,
  partyVIdentity: -24,
  partyVNonce: -25,
  partyVOther: -26,
} as const;

export const Alg = {
  ES256: -7,
  ES384: -35,
  ES512: -36,
  A128GCM: 1,
  A192GCM: 2,
  A256GCM: 3,
  direct: -6,
  ECDH_ES_HKDF_256: -25,
  ECDH_ES_HKDF_512: -26,
  ECDH_SS_HKDF_256: -27,
  ECDH_SS_HKDF_512: -28,
} as const;

export const CoseTag = { Encrypt0: 16, Sign1: 18, Encrypt: 96, Sign: 98 } as const;

export type HeaderMap = Map<CborKey, CborValue>;

export interface Headers {
  /**
   * The protected header bytes that enter Sig_structure / Enc_structure: exactly as received,
   * except that an encoded empty map (h'A0') counts as the zero-length string (RFC 9052 §3).
   */
  protectedBytes: Uint8Array;
  protected: HeaderMap;
  unprotected: HeaderMap;
}

const EMPTY = new Uint8Array(0);

/** Parses the protected bstr and unprotected map; rejects a label present in both (RFC 9052 §3). */
export function parseHeaders(protectedRaw: CborValue | undefined, unprotectedRaw: CborValue | undefined): Headers {
  if (!(protectedRaw instanceof Uint8Array))
    throw coseError('COSE_MALFORMED', 'protected header must be a byte string');
  if (!(unprotectedRaw instanceof Map)) throw coseError('COSE_MALFORMED', 'unprotected header must be a map');
  let prot: HeaderMap = new Map();
  if (protectedRaw.length > 0) {
    const decoded = decodeCbor(protectedRaw);
    if (!(decoded instanceof Map)) throw coseError('COSE_MALFORMED', 'protected header must encode a map');
    prot = decoded;
  }
  for (const key of unprotectedRaw.keys()) {
    if (prot.has(key))
      throw coseError('COSE_MALFORMED', `header label ${String(key)} is both protected and unprotected`);
  }
  // We understand no critical extensions, so any listed one makes the message unprocessable.
  if (prot.has(Header.crit)) throw coseError('COSE_MALFORMED', 'critical header parameters are not supported');
  return { protectedBytes: prot.size === 0 ? EMPTY : protectedRaw, protected: prot, unprotected: unprotectedRaw };
}

/** A header value, protected first. */
export function headerValue(h: Headers, label: number): CborValue | undefined {
  return h.protected.has(label) ? h.protected.get(label) : h.unprotected.get(label);
}

/** The integer algorithm of a layer; text or absent algorithms are unsupported. */
export function algOf(h: Headers): number {
  const alg = headerValue(h, Header.alg);
  if (alg === undefined) throw coseError('COSE_UNSUPPORTED_ALG', 'no algorithm header');
  if (typeof alg !== 'number' || !Number.isInteger(alg))
    throw coseError('COSE_UNSUPPORTED_ALG', 'algorithm must be an integer');
  return alg;
}

export function optionalBytes(h: Headers, label: number): Uint8Array | undefined {
  const v = headerValue(h, label);
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) throw coseError('COSE_MALFORMED', `header ${label} must be a byte string`);
  return v;
}

/**
 * Strips an expected tag (or accepts the untagged form) and checks the array arity.
 * Any other tag is an error: a wrong tag means a different structure.
 */
export function untag(value: CborValue, tag: number, arity: number, what: string): CborValue[] {
  let inner = value;
  if (inner instanceof CborTag) {
    if (inner.tag !== tag) throw coseError('COSE_MALFORMED', `${what}: unexpected CBOR tag ${inner.tag}`);
    inner = inner.value;
  }
  if (!Array.isArray(inner) || inner.length !== arity)
    throw coseError('COSE_MALFORMED', `${what}: must be an array of ${arity}`);
  return inner;
}

export function bytesOrEmpty(v: Uint8Array | undefined): Uint8Array {
  return v ?? EMPTY;
}
