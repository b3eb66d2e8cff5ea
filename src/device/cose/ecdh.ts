/**
 * Direct key agreement (RFC 9053 §6.3): ECDH-ES / ECDH-SS with HKDF. The content key is
 * HKDF(Z, salt, COSE_KDF_Context) where the context binds the content algorithm, key length,
 * the recipient's protected header and the PartyU / PartyV information (§5.2).
 */
import { hkdfSync } from 'node:crypto';
import { encodeCbor, type CborValue } from './cbor.ts';
import { coseError } from './errors.ts';
import { Alg, Header, headerValue, optionalBytes, type Headers } from './headers.ts';

const ECDH_ALGS: Record<number, { hash: 'sha256' | 'sha512'; static: boolean }> = {
  [Alg.ECDH_ES_HKDF_256]: { hash: 'sha256', static: false },
  [Alg.ECDH_ES_HKDF_512]: { hash: 'sha512', static: false },
  [Alg.ECDH_SS_HKDF_256]: { hash: 'sha256', static: true },
  [Alg.ECDH_SS_HKDF_512]: { hash: 'sha512', static: true },
};

export function ecdhAlgInfo(alg: number): { hash: 'sha256' | 'sha512'; static: boolean } {
  const info = ECDH_ALGS[alg];
  if (!info) throw coseError('COSE_UNSUPPORTED_ALG', `unsupported key agreement algorithm ${alg}`);
  return info;
}

function partyField(h: Headers, label: number): CborValue {
  const v = headerValue(h, label);
  if (v === undefined) return null;
  if (v instanceof Uint8Array) return v;
  const isNonce = label === Header.partyUNonce || label === Header.partyVNonce;
  if (isNonce && typeof v === 'number' && Number.isInteger(v)) return v; // a nonce may be an int
  throw coseError('COSE_MALFORMED', `header ${label} must be a byte string`);
}

/** COSE_KDF_Context = [AlgorithmID, PartyUInfo, PartyVInfo, SuppPubInfo] as exact CBOR bytes. */
export function kdfContext(contentAlg: number, keyBytes: number, recipient: Headers): Uint8Array {
  return encodeCbor([
    contentAlg,
    [
      partyField(recipient, Header.partyUIdentity),
      partyField(recipient, Header.partyUNonce),
      partyField(recipient, Header.partyUOther),
    ],
    [
      partyField(recipient, Header.partyVIdentity),
      partyField(recipient, Header.partyVNonce),
      partyField(recipient, Header.partyVOther),
    ],
    [keyBytes * 8, recipient.protectedBytes],
  ]);
}

/** Derives the content encryption key from the ECDH shared secret Z. */
export function deriveContentKey(
  ecdhAlg: number,
  contentAlg: number,
  keyBytes: number,
  sharedSecret: Uint8Array,
  recipient: Headers,
): Uint8Array {
  const { hash } = ecdhAlgInfo(ecdhAlg);
  const salt = optionalBytes(recipient, Header.salt) ?? new Uint8Array(0);
  return new Uint8Array(hkdfSync(hash, sharedSecret, salt, kdfContext(contentAlg, keyBytes, recipient), keyBytes));
}
