/** AES-GCM content encryption for COSE (RFC 9053 §4.1) and the Enc_structure AAD (RFC 9052 §5.3). */
import { createCipheriv, createDecipheriv, type CipherGCMTypes } from 'node:crypto';
import { encodeCbor } from './cbor.ts';
import { coseError } from './errors.ts';
import { Alg, Header, headerValue, type Headers } from './headers.ts';

const GCM: Record<number, { cipher: CipherGCMTypes; keyBytes: number }> = {
  [Alg.A128GCM]: { cipher: 'aes-128-gcm', keyBytes: 16 },
  [Alg.A192GCM]: { cipher: 'aes-192-gcm', keyBytes: 24 },
  [Alg.A256GCM]: { cipher: 'aes-256-gcm', keyBytes: 32 },
};

export const GCM_IV_BYTES = 12;
const TAG_BYTES = 16;
const EMPTY = new Uint8Array(0);

function gcmOf(alg: number): { cipher: CipherGCMTypes; keyBytes: number } {
  const gcm = GCM[alg];
  if (!gcm) throw coseError('COSE_UNSUPPORTED_ALG', `unsupported content encryption algorithm ${alg}`);
  return gcm;
}

/** Key length in bytes of a content encryption algorithm (for the KDF). */
export function contentKeyBytes(alg: number): number {
  return gcmOf(alg).keyBytes;
}

/** Enc_structure: [context, protected, external_aad]. */
export function encStructure(
  context: 'Encrypt0' | 'Encrypt',
  protectedBytes: Uint8Array,
  externalAad: Uint8Array = EMPTY,
): Uint8Array {
  return encodeCbor([context, protectedBytes, externalAad]);
}

/**
 * The IV of a layer: the full IV (label 5), or a Partial IV (label 6) XORed into the key's
 * base IV. Both at once, or neither, is malformed.
 */
export function ivOf(h: Headers, baseIv?: Uint8Array): Uint8Array {
  const iv = headerValue(h, Header.iv);
  const partial = headerValue(h, Header.partialIv);
  if (iv !== undefined && partial !== undefined)
    throw coseError('COSE_MALFORMED', 'both IV and Partial IV are present');
  if (iv !== undefined) {
    if (!(iv instanceof Uint8Array) || iv.length !== GCM_IV_BYTES)
      throw coseError('COSE_MALFORMED', 'IV must be 12 bytes');
    return iv;
  }
  if (partial instanceof Uint8Array && partial.length <= GCM_IV_BYTES && baseIv?.length === GCM_IV_BYTES) {
    const out = Uint8Array.from(baseIv);
    const offset = GCM_IV_BYTES - partial.length;
    partial.forEach((b, i) => (out[offset + i]! ^= b));
    return out;
  }
  throw coseError('COSE_MALFORMED', 'no usable IV (a Partial IV needs the base IV of the key)');
}

export function gcmEncrypt(
  alg: number,
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  const gcm = gcmOf(alg);
  if (key.length !== gcm.keyBytes) throw coseError('COSE_BAD_KEY', `key must be ${gcm.keyBytes} bytes`);
  const cipher = createCipheriv(gcm.cipher, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const out = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Throws COSE_DECRYPT_FAILED for any authentication failure. */
export function gcmDecrypt(
  alg: number,
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  const gcm = gcmOf(alg);
  if (key.length !== gcm.keyBytes) throw coseError('COSE_BAD_KEY', `key must be ${gcm.keyBytes} bytes`);
  if (ciphertext.length < TAG_BYTES) throw coseError('COSE_DECRYPT_FAILED', 'ciphertext is shorter than the tag');
  try {
    const decipher = createDecipheriv(gcm.cipher, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
    const out = Buffer.concat([
      decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch {
    throw coseError('COSE_DECRYPT_FAILED', 'decryption failed');
  }
}
