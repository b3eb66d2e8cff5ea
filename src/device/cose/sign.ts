/** COSE_Sign (RFC 9052 §4.1), verification only: several signers over one payload, tag 98. */
import type { KeyObject } from 'node:crypto';
import { decodeCbor, encodeCbor } from './cbor.ts';
import { coseError } from './errors.ts';
import { CoseTag, Header, algOf, optionalBytes, parseHeaders, untag, type Headers } from './headers.ts';
import { hashOfSignatureAlg, verifyEcdsa } from './ecdsa.ts';
import { checkSize, DEFAULT_MAX_COSE_BYTES } from './sign1.ts';

export interface CoseSigner {
  headers: Headers;
  alg: number;
  kid: Uint8Array | undefined;
  signature: Uint8Array;
}

export interface SignMessage {
  headers: Headers;
  payload: Uint8Array;
  signers: CoseSigner[];
}

const EMPTY = new Uint8Array(0);
const MAX_SIGNERS = 16;

export function signToBeSigned(
  bodyProtected: Uint8Array,
  signProtected: Uint8Array,
  payload: Uint8Array,
  externalAad: Uint8Array = EMPTY,
): Uint8Array {
  return encodeCbor(['Signature', bodyProtected, signProtected, externalAad, payload]);
}

export function decodeSign(bytes: Uint8Array, maxBytes = DEFAULT_MAX_COSE_BYTES): SignMessage {
  checkSize(bytes, maxBytes);
  const [prot, unprot, payload, sigs] = untag(decodeCbor(bytes), CoseTag.Sign, 4, 'COSE_Sign');
  const headers = parseHeaders(prot, unprot);
  if (!(payload instanceof Uint8Array))
    throw coseError('COSE_MALFORMED', 'COSE_Sign: detached payloads are not supported');
  if (!Array.isArray(sigs) || sigs.length === 0 || sigs.length > MAX_SIGNERS) {
    throw coseError('COSE_MALFORMED', `COSE_Sign: signatures must be an array of 1 to ${MAX_SIGNERS}`);
  }
  const signers = sigs.map((s): CoseSigner => {
    if (!Array.isArray(s) || s.length !== 3) throw coseError('COSE_MALFORMED', 'COSE_Signature must be an array of 3');
    const h = parseHeaders(s[0], s[1]);
    const signature = s[2];
    if (!(signature instanceof Uint8Array))
      throw coseError('COSE_MALFORMED', 'COSE_Signature: signature must be a byte string');
    const alg = algOf(h);
    hashOfSignatureAlg(alg);
    return { headers: h, alg, kid: optionalBytes(h, Header.kid), signature };
  });
  return { headers, payload, signers };
}

/**
 * Verifies every signer whose key `resolveKey` knows; throws unless at least one signer was
 * verified and none that was checked failed.
 */
export function verifySign(
  bytes: Uint8Array,
  resolveKey: (kid: Uint8Array | undefined) => KeyObject | undefined,
  externalAad?: Uint8Array,
): SignMessage {
  const msg = decodeSign(bytes);
  let verified = 0;
  for (const s of msg.signers) {
    const key = resolveKey(s.kid);
    if (!key) continue;
    verifyEcdsa(
      s.alg,
      key,
      signToBeSigned(msg.headers.protectedBytes, s.headers.protectedBytes, msg.payload, externalAad),
      s.signature,
    );
    verified++;
  }
  if (verified === 0) throw coseError('COSE_UNKNOWN_KID', 'no signer with a known key');
  return msg;
}
