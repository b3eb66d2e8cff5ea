import { MsecError } from '../../core/errors.ts';

/**
 * The vault's wire formats, shared by client and server. Everything here is plain JSON with
 * base64url fields, so a browser client speaks it with WebCrypto. Parsers are strict and throw
 * only VAULT_BAD_ENVELOPE.
 */
export const WRAP_ALG = 'ECDH-ES+HKDF-SHA256+A256KW';
export const RECORD_ALG = 'A256GCM';
export const RECORD_ID_PATTERN = /^rec_[A-Za-z0-9_-]{22}$/;
/** Largest ciphertext accepted, in bytes (the HTTP body limit usually binds first). */
export const MAX_CIPHERTEXT = 16 * 1024 * 1024;
export const MAX_VERSION = 1_000_000;

/** A P-256 public key as a JWK (RFC 7517), the only fields kept. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** A data key wrapped for one recipient: ECDH-ES with an ephemeral key, HKDF-SHA-256, AES-256 key wrap. */
export interface WrappedKey {
  v: 1;
  alg: typeof WRAP_ALG;
  /** RFC 7638 thumbprint of the recipient's public key. */
  kid: string;
  epk: PublicJwk;
  /** AES-KW output (40 bytes), base64url. */
  wk: string;
}

/** One encrypted version of a record: AES-256-GCM with a 96-bit IV; ciphertext includes the tag. */
export interface RecordCiphertext {
  alg: typeof RECORD_ALG;
  iv: string;
  ciphertext: string;
}

/** One version of a record as the API returns it to a reader: its ciphertext, the reader's wrapped key, its ledger proof. */
export interface RecordView<Ledger> {
  id: string;
  ownerId: string;
  org: string;
  version: number;
  latestVersion: number;
  record: RecordCiphertext;
  wrappedKey: WrappedKey;
  hash: string;
  ledger: Ledger;
}

function bad(message: string): MsecError {
  return new MsecError('VAULT_BAD_ENVELOPE', message, { status: 400 });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw bad(`${what} has an unknown field ${JSON.stringify(k).slice(0, 40)}`);
}

/** Decodes canonical unpadded base64url; `bytes` pins the decoded length. */
export function b64urlDecode(
  value: unknown,
  what: string,
  bytes?: { exact?: number; min?: number; max?: number },
): Uint8Array<ArrayBuffer> {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]*$/.test(value) || value.length % 4 === 1)
    throw bad(`${what} is not base64url`);
  const out = new Uint8Array(Buffer.from(value, 'base64url'));
  if (b64urlEncode(out) !== value) throw bad(`${what} is not canonical base64url`);
  if (bytes?.exact !== undefined && out.length !== bytes.exact) throw bad(`${what} must be ${bytes.exact} bytes`);
  if (bytes?.min !== undefined && out.length < bytes.min) throw bad(`${what} must be at least ${bytes.min} bytes`);
  if (bytes?.max !== undefined && out.length > bytes.max) throw bad(`${what} must be at most ${bytes.max} bytes`);
  return out;
}

export function b64urlEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function parsePublicJwk(input: unknown, what = 'public key'): PublicJwk {
  if (!isObject(input)) throw bad(`${what} must be a JWK object`);
  // Browsers' exportKey('jwk') adds key_ops and ext; tolerate them, keep only the point.
  onlyKeys(input, ['kty', 'crv', 'x', 'y', 'key_ops', 'ext', 'kid', 'use', 'alg'], what);
  if (input.kty !== 'EC' || input.crv !== 'P-256') throw bad(`${what} must be an EC P-256 JWK`);
  if ('d' in input) throw bad(`${what} must not contain a private key`);
  b64urlDecode(input.x, `${what} x`, { exact: 32 });
  b64urlDecode(input.y, `${what} y`, { exact: 32 });
  return { kty: 'EC', crv: 'P-256', x: input.x as string, y: input.y as string };
}

export function parseWrappedKey(input: unknown): WrappedKey {
  if (!isObject(input)) throw bad('wrapped key must be an object');
  onlyKeys(input, ['v', 'alg', 'kid', 'epk', 'wk'], 'wrapped key');
  if (input.v !== 1 || input.alg !== WRAP_ALG) throw bad(`wrapped key must be version 1 of ${WRAP_ALG}`);
  b64urlDecode(input.kid, 'wrapped key kid', { exact: 32 });
  const epk = parsePublicJwk(input.epk, 'ephemeral key');
  b64urlDecode(input.wk, 'wrapped key bytes', { exact: 40 });
  return { v: 1, alg: WRAP_ALG, kid: input.kid as string, epk, wk: input.wk as string };
}

export function parseRecordCiphertext(input: unknown): RecordCiphertext {
  if (!isObject(input)) throw bad('record ciphertext must be an object');
  onlyKeys(input, ['alg', 'iv', 'ciphertext'], 'record ciphertext');
  if (input.alg !== RECORD_ALG) throw bad(`record must be encrypted with ${RECORD_ALG}`);
  b64urlDecode(input.iv, 'iv', { exact: 12 });
  if (typeof input.ciphertext !== 'string' || input.ciphertext.length > Math.ceil((MAX_CIPHERTEXT * 4) / 3) + 4)
    throw bad('ciphertext is missing or too large');
  b64urlDecode(input.ciphertext, 'ciphertext', { min: 16, max: MAX_CIPHERTEXT });
  return { alg: RECORD_ALG, iv: input.iv as string, ciphertext: input.ciphertext };
}

export function parseRecordId(input: unknown): string {
  if (typeof input !== 'string' || !RECORD_ID_PATTERN.test(input))
    throw bad('record id must look like rec_ followed by 22 base64url characters');
  return input;
}

export function parseVersion(input: unknown): number {
  if (typeof input !== 'number' || !Number.isSafeInteger(input) || input < 1 || input > MAX_VERSION)
    throw bad(`version must be an integer from 1 to ${MAX_VERSION}`);
  return input;
}
