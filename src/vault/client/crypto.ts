import type { webcrypto } from 'node:crypto';
import { MsecError } from '../../core/errors.ts';
import {
  b64urlDecode,
  b64urlEncode,
  parsePublicJwk,
  parseRecordCiphertext,
  parseWrappedKey,
  RECORD_ALG,
  WRAP_ALG,
  type PublicJwk,
  type RecordCiphertext,
  type WrappedKey,
} from './envelope.ts';

/**
 * Client-side record encryption with WebCrypto only (globalThis.crypto.subtle, in Node 20 and
 * every browser): the server receives ciphertext and wrapped keys, never plaintext, data keys or
 * private keys.
 */
const subtle = globalThis.crypto.subtle;
const enc = new TextEncoder();

/** Which record, version and owner a ciphertext belongs to: GCM fails if any of them is swapped. */
export interface RecordContext {
  recordId: string;
  version: number;
  ownerId: string;
}

export function recordAad(c: RecordContext): Uint8Array<ArrayBuffer> {
  return enc.encode(`msec-vault-record/v1\n${c.recordId}\n${c.version}\n${c.ownerId}`);
}

/** A fresh record id, chosen by the client because the AAD binds it before the server sees anything. */
export function newRecordId(): string {
  return `rec_${b64urlEncode(globalThis.crypto.getRandomValues(new Uint8Array(16)))}`;
}

/** RFC 7638 thumbprint of a P-256 public JWK, base64url: the key's id. */
export async function jwkKid(jwk: PublicJwk): Promise<string> {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return b64urlEncode(new Uint8Array(await subtle.digest('SHA-256', enc.encode(canonical))));
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await subtle.digest('SHA-256', new Uint8Array(bytes))).toString('hex');
}

export async function generateDataKey(): Promise<CryptoKey> {
  return subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}

export async function encryptRecord(
  plaintext: Uint8Array,
  dataKey: CryptoKey,
  ctx: RecordContext,
): Promise<RecordCiphertext> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: recordAad(ctx), tagLength: 128 },
      dataKey,
      new Uint8Array(plaintext),
    ),
  );
  return { alg: RECORD_ALG, iv: b64urlEncode(iv), ciphertext: b64urlEncode(ct) };
}

/** Fails with VAULT_DECRYPT_FAILED when the tag does not verify (tampered, wrong key or context). */
export async function decryptRecord(
  record: RecordCiphertext,
  dataKey: CryptoKey,
  ctx: RecordContext,
): Promise<Uint8Array> {
  const r = parseRecordCiphertext(record);
  try {
    const pt = await subtle.decrypt(
      { name: 'AES-GCM', iv: b64urlDecode(r.iv, 'iv'), additionalData: recordAad(ctx), tagLength: 128 },
      dataKey,
      b64urlDecode(r.ciphertext, 'ciphertext'),
    );
    return new Uint8Array(pt);
  } catch {
    throw new MsecError(
      'VAULT_DECRYPT_FAILED',
      'the record does not decrypt: the ciphertext, its context or the key is wrong (GCM tag check failed)',
      { status: 400 },
    );
  }
}

function wrapInfo(kid: string, epk: PublicJwk, ctx: Omit<RecordContext, 'ownerId'>): Uint8Array<ArrayBuffer> {
  return enc.encode(`msec-vault-wrap/v1\n${WRAP_ALG}\n${ctx.recordId}\n${ctx.version}\n${kid}\n${epk.x}\n${epk.y}`);
}

async function importPublic(jwk: PublicJwk): Promise<CryptoKey> {
  try {
    return await subtle.importKey(
      'jwk',
      { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, ext: true },
      { name: 'ECDH', namedCurve: 'P-256' },
      true,
      [],
    );
  } catch {
    throw new MsecError('VAULT_BAD_ENVELOPE', 'public key is not a point on P-256', { status: 400 });
  }
}

async function kekFor(privateKey: CryptoKey, publicKey: CryptoKey, info: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const shared = await subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256);
  const ikm = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info },
    ikm,
    { name: 'AES-KW', length: 256 },
    false,
    ['wrapKey', 'unwrapKey'],
  );
}

/** Wraps a record version's data key for one recipient's registered public key. */
export async function wrapDataKey(
  dataKey: CryptoKey,
  recipient: PublicJwk,
  ctx: Omit<RecordContext, 'ownerId'>,
): Promise<WrappedKey> {
  const pub = parsePublicJwk(recipient);
  const kid = await jwkKid(pub);
  const eph = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])) as webcrypto.CryptoKeyPair;
  const epk = parsePublicJwk(await subtle.exportKey('jwk', eph.publicKey), 'ephemeral key');
  const kek = await kekFor(eph.privateKey, await importPublic(pub), wrapInfo(kid, epk, ctx));
  const wk = new Uint8Array(await subtle.wrapKey('raw', dataKey, kek, 'AES-KW'));
  return { v: 1, alg: WRAP_ALG, kid, epk, wk: b64urlEncode(wk) };
}

/** Unwraps with the recipient's private key; the result stays extractable so the owner can re-wrap it. */
export async function unwrapDataKey(
  wrapped: WrappedKey,
  privateKey: CryptoKey,
  ctx: Omit<RecordContext, 'ownerId'>,
): Promise<CryptoKey> {
  const w = parseWrappedKey(wrapped);
  const kek = await kekFor(privateKey, await importPublic(w.epk), wrapInfo(w.kid, w.epk, ctx));
  try {
    return await subtle.unwrapKey(
      'raw',
      b64urlDecode(w.wk, 'wrapped key'),
      kek,
      'AES-KW',
      { name: 'AES-GCM', length: 256 },
      true,
      ['encrypt', 'decrypt'],
    );
  } catch {
    throw new MsecError(
      'VAULT_DECRYPT_FAILED',
      'the data key does not unwrap with this private key (not wrapped for it, or tampered)',
      { status: 400 },
    );
  }
}
