/** COSE_Sign1 (RFC 9052 §4.2): one signer, tag 18 (the untagged form is accepted too). */
import type { KeyObject } from 'node:crypto';
import { decodeCbor, encodeCbor, CborTag, type CborValue } from './cbor.ts';
import { coseError } from './errors.ts';
import {
  Alg,
  CoseTag,
  Header,
  algOf,
  optionalBytes,
  parseHeaders,
  untag,
  type HeaderMap,
  type Headers,
} from './headers.ts';
import { hashOfSignatureAlg, verifyEcdsa, verifyEcdsaAsync } from './ecdsa.ts';

/** Default ceiling for a whole COSE message; checked before any decoding. */
export const DEFAULT_MAX_COSE_BYTES = 64 * 1024;

export interface Sign1Message {
  headers: Headers;
  alg: number;
  kid: Uint8Array | undefined;
  payload: Uint8Array;
  signature: Uint8Array;
}

const EMPTY = new Uint8Array(0);

export function checkSize(bytes: Uint8Array, maxBytes: number): void {
  if (!(bytes instanceof Uint8Array)) throw coseError('COSE_MALFORMED', 'message must be bytes');
  if (bytes.length > maxBytes) throw coseError('COSE_TOO_LARGE', `message is larger than ${maxBytes} bytes`);
}

/** Array(4) head then text(10) "Signature1": the fixed start of every Sign1 Sig_structure. */
const SIG1_PREFIX = Uint8Array.of(0x84, 0x6a, ...Buffer.from('Signature1', 'latin1'));

/** Length of a byte string head (preferred form) for `n` bytes. */
function bstrHeadLength(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9;
}

function writeBstr(out: Uint8Array, pos: number, b: Uint8Array): number {
  const n = b.length;
  if (n < 24) out[pos++] = 0x40 | n;
  else if (n < 0x100) {
    out[pos++] = 0x58;
    out[pos++] = n;
  } else if (n < 0x10000) {
    out[pos++] = 0x59;
    out[pos++] = n >>> 8;
    out[pos++] = n & 0xff;
  } else if (n < 0x100000000) {
    out[pos++] = 0x5a;
    for (let s = 24; s >= 0; s -= 8) out[pos++] = (n >>> s) & 0xff;
  } else {
    out[pos++] = 0x5b;
    const hi = Math.floor(n / 0x100000000);
    for (let s = 24; s >= 0; s -= 8) out[pos++] = (hi >>> s) & 0xff;
    for (let s = 24; s >= 0; s -= 8) out[pos++] = (n >>> s) & 0xff;
  }
  out.set(b, pos);
  return pos + n;
}

/**
 * Sig_structure for a Sign1 message: ["Signature1", body_protected, external_aad, payload].
 * Written directly (same bytes as encodeCbor, see sign1.test.ts): it is built for every reading
 * verified, and the generic encoder's buffers and text encoding cost more than the rest.
 */
export function sign1ToBeSigned(
  protectedBytes: Uint8Array,
  payload: Uint8Array,
  externalAad: Uint8Array = EMPTY,
): Uint8Array {
  const parts = [protectedBytes, externalAad, payload] as const;
  let total = SIG1_PREFIX.length;
  for (const b of parts) total += bstrHeadLength(b.length) + b.length;
  const out = new Uint8Array(total);
  out.set(SIG1_PREFIX, 0);
  let pos = SIG1_PREFIX.length;
  for (const b of parts) pos = writeBstr(out, pos, b);
  return out;
}

/** Decodes a COSE_Sign1 without verifying it. The algorithm must be one we support. */
export function decodeSign1(bytes: Uint8Array, maxBytes = DEFAULT_MAX_COSE_BYTES): Sign1Message {
  checkSize(bytes, maxBytes);
  const [prot, unprot, payload, signature] = untag(decodeCbor(bytes), CoseTag.Sign1, 4, 'COSE_Sign1');
  const headers = parseHeaders(prot, unprot);
  if (!(payload instanceof Uint8Array))
    throw coseError('COSE_MALFORMED', 'COSE_Sign1: detached payloads are not supported');
  if (!(signature instanceof Uint8Array))
    throw coseError('COSE_MALFORMED', 'COSE_Sign1: signature must be a byte string');
  const alg = algOf(headers);
  hashOfSignatureAlg(alg);
  return { headers, alg, kid: optionalBytes(headers, Header.kid), payload, signature };
}

/** Verifies a decoded message's signature with `key`; throws COSE_BAD_SIGNATURE. */
export function verifySign1Message(msg: Sign1Message, key: KeyObject, externalAad?: Uint8Array): void {
  verifyEcdsa(msg.alg, key, sign1ToBeSigned(msg.headers.protectedBytes, msg.payload, externalAad), msg.signature);
}

/** verifySign1Message on the thread pool (see verifyEcdsaAsync); rejects with COSE_BAD_SIGNATURE. */
export function verifySign1MessageAsync(msg: Sign1Message, key: KeyObject, externalAad?: Uint8Array): Promise<void> {
  return verifyEcdsaAsync(
    msg.alg,
    key,
    sign1ToBeSigned(msg.headers.protectedBytes, msg.payload, externalAad),
    msg.signature,
  );
}

/** Decodes and verifies; returns the message (payload included) only when the signature holds. */
export function verifySign1(
  bytes: Uint8Array,
  key: KeyObject,
  externalAad?: Uint8Array,
  maxBytes?: number,
): Sign1Message {
  const msg = decodeSign1(bytes, maxBytes);
  verifySign1Message(msg, key, externalAad);
  return msg;
}

export interface CreateSign1Options {
  payload: Uint8Array;
  /** Produces the raw r||s signature of the ToBeSigned bytes (a key store, a TPM, node:crypto). */
  sign: (toBeSigned: Uint8Array) => Promise<Uint8Array> | Uint8Array;
  alg?: number;
  /** Key id, placed in the protected header so it is covered by the signature. */
  kid?: Uint8Array;
  externalAad?: Uint8Array;
  unprotected?: HeaderMap;
  /** Write tag 18 (default true). */
  tagged?: boolean;
}

export async function createSign1(opts: CreateSign1Options): Promise<Uint8Array> {
  const alg = opts.alg ?? Alg.ES256;
  hashOfSignatureAlg(alg);
  const prot: HeaderMap = new Map<number, CborValue>([[Header.alg, alg]]);
  if (opts.kid) prot.set(Header.kid, opts.kid);
  const protectedBytes = encodeCbor(prot);
  const signature = await opts.sign(sign1ToBeSigned(protectedBytes, opts.payload, opts.externalAad));
  const body: CborValue = [protectedBytes, opts.unprotected ?? new Map(), opts.payload, signature];
  return encodeCbor(opts.tagged === false ? body : new CborTag(CoseTag.Sign1, body));
}
