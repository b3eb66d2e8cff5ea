/** COSE_Encrypt0 (RFC 9052 §5.2): content encrypted under a key both sides already share, tag 16. */
import { randomBytes } from 'node:crypto';
import { decodeCbor, encodeCbor, CborTag, type CborValue } from './cbor.ts';
import { coseError } from './errors.ts';
import { Alg, CoseTag, Header, algOf, parseHeaders, untag, type HeaderMap } from './headers.ts';
import { encStructure, gcmDecrypt, gcmEncrypt, ivOf, GCM_IV_BYTES } from './aead.ts';
import { checkSize, DEFAULT_MAX_COSE_BYTES } from './sign1.ts';

export interface DecryptOptions {
  externalAad?: Uint8Array;
  /** Base IV of the key, needed only for messages that carry a Partial IV. */
  baseIv?: Uint8Array;
  maxBytes?: number;
}

export function decryptEncrypt0(bytes: Uint8Array, key: Uint8Array, opts: DecryptOptions = {}): Uint8Array {
  checkSize(bytes, opts.maxBytes ?? DEFAULT_MAX_COSE_BYTES);
  const [prot, unprot, ciphertext] = untag(decodeCbor(bytes), CoseTag.Encrypt0, 3, 'COSE_Encrypt0');
  const headers = parseHeaders(prot, unprot);
  if (!(ciphertext instanceof Uint8Array))
    throw coseError('COSE_MALFORMED', 'COSE_Encrypt0: detached ciphertext is not supported');
  const alg = algOf(headers);
  const aad = encStructure('Encrypt0', headers.protectedBytes, opts.externalAad);
  return gcmDecrypt(alg, key, ivOf(headers, opts.baseIv), ciphertext, aad);
}

export interface CreateEncrypt0Options {
  plaintext: Uint8Array;
  key: Uint8Array;
  alg?: number;
  /** Fixed IV for test vectors; random otherwise. Never reuse an IV under one key. */
  iv?: Uint8Array;
  kid?: Uint8Array;
  externalAad?: Uint8Array;
}

export function createEncrypt0(opts: CreateEncrypt0Options): Uint8Array {
  const alg = opts.alg ?? Alg.A256GCM;
  const protectedBytes = encodeCbor(new Map<number, CborValue>([[Header.alg, alg]]));
  const iv = opts.iv ?? randomBytes(GCM_IV_BYTES);
  const unprotected: HeaderMap = new Map<number, CborValue>([[Header.iv, iv]]);
  if (opts.kid) unprotected.set(Header.kid, opts.kid);
  const ciphertext = gcmEncrypt(
    alg,
    opts.key,
    iv,
    opts.plaintext,
    encStructure('Encrypt0', protectedBytes, opts.externalAad),
  );
  return encodeCbor(new CborTag(CoseTag.Encrypt0, [protectedBytes, unprotected, ciphertext]));
}
