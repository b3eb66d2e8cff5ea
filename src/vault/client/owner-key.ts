import type { webcrypto } from 'node:crypto';
import { MsecError } from '../../core/errors.ts';
import { jwkKid } from './crypto.ts';
import { b64urlDecode, b64urlEncode, parsePublicJwk, type PublicJwk } from './envelope.ts';

/**
 * An owner's (or reader's) vault key pair, generated and kept on their side. At rest the private
 * key is PKCS#8 encrypted with AES-256-GCM under a key derived from a passphrase (PBKDF2-SHA-256;
 * WebCrypto has no scrypt), so the same file format works in a browser key store.
 */
export const KEY_FILE_FORMAT = 'msec.vault.private-key/v1';
export const DEFAULT_KDF_ITERATIONS = 600_000;
const MIN_ITERATIONS = 10_000;
const MAX_ITERATIONS = 10_000_000;

const subtle = globalThis.crypto.subtle;
const enc = new TextEncoder();

export interface VaultKeyPair {
  kid: string;
  publicJwk: PublicJwk;
  privateKey: CryptoKey;
}

export interface KeyFile {
  format: typeof KEY_FILE_FORMAT;
  kid: string;
  publicKey: PublicJwk;
  kdf: { alg: 'PBKDF2-SHA256'; iterations: number; salt: string };
  iv: string;
  /** AES-256-GCM(PKCS#8), base64url; the kid is the AAD. */
  ciphertext: string;
}

export async function generateVaultKeyPair(): Promise<VaultKeyPair> {
  const pair = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])) as webcrypto.CryptoKeyPair;
  const publicJwk = parsePublicJwk(await subtle.exportKey('jwk', pair.publicKey));
  return { kid: await jwkKid(publicJwk), publicJwk, privateKey: pair.privateKey };
}

async function passphraseKey(
  passphrase: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<CryptoKey> {
  if (passphrase.length < 8) throw new MsecError('VALIDATION_FAILED', 'the passphrase must be at least 8 characters');
  const base = await subtle.importKey('raw', enc.encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function sealKeyFile(
  pair: VaultKeyPair,
  passphrase: string,
  iterations = DEFAULT_KDF_ITERATIONS,
): Promise<KeyFile> {
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  const key = await passphraseKey(passphrase, salt, iterations);
  const ct = new Uint8Array(
    await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode(pair.kid) }, key, pkcs8),
  );
  pkcs8.fill(0);
  return {
    format: KEY_FILE_FORMAT,
    kid: pair.kid,
    publicKey: pair.publicJwk,
    kdf: { alg: 'PBKDF2-SHA256', iterations, salt: b64urlEncode(salt) },
    iv: b64urlEncode(iv),
    ciphertext: b64urlEncode(ct),
  };
}

function badFile(message: string): MsecError {
  return new MsecError('VAULT_BAD_KEY_FILE', message, { status: 400 });
}

export function parseKeyFile(input: unknown): KeyFile {
  const f = input as Partial<KeyFile> | null;
  if (typeof f !== 'object' || f === null || f.format !== KEY_FILE_FORMAT)
    throw badFile(`not a ${KEY_FILE_FORMAT} key file`);
  const kdf = f.kdf as Partial<KeyFile['kdf']> | undefined;
  if (
    typeof kdf !== 'object' ||
    kdf === null ||
    kdf.alg !== 'PBKDF2-SHA256' ||
    !Number.isSafeInteger(kdf.iterations) ||
    (kdf.iterations as number) < MIN_ITERATIONS ||
    (kdf.iterations as number) > MAX_ITERATIONS
  ) {
    throw badFile(`key file KDF must be PBKDF2-SHA256 with ${MIN_ITERATIONS}-${MAX_ITERATIONS} iterations`);
  }
  try {
    b64urlDecode(kdf.salt, 'salt', { min: 16, max: 64 });
    b64urlDecode(f.iv, 'iv', { exact: 12 });
    b64urlDecode(f.ciphertext, 'ciphertext', { min: 17, max: 4096 });
    b64urlDecode(f.kid, 'kid', { exact: 32 });
    const publicKey = parsePublicJwk(f.publicKey);
    return {
      format: KEY_FILE_FORMAT,
      kid: f.kid as string,
      publicKey,
      kdf: { alg: 'PBKDF2-SHA256', iterations: kdf.iterations as number, salt: kdf.salt as string },
      iv: f.iv as string,
      ciphertext: f.ciphertext as string,
    };
  } catch (err) {
    throw badFile(`key file is malformed: ${(err as Error).message}`);
  }
}

/** Decrypts the private key; a wrong passphrase or an altered file fails the same way. */
export async function openKeyFile(input: unknown, passphrase: string): Promise<VaultKeyPair> {
  const f = parseKeyFile(input);
  if ((await jwkKid(f.publicKey)) !== f.kid) throw badFile('key file kid does not match its public key');
  const key = await passphraseKey(passphrase, b64urlDecode(f.kdf.salt, 'salt'), f.kdf.iterations);
  let pkcs8: ArrayBuffer;
  try {
    pkcs8 = await subtle.decrypt(
      { name: 'AES-GCM', iv: b64urlDecode(f.iv, 'iv'), additionalData: enc.encode(f.kid) },
      key,
      b64urlDecode(f.ciphertext, 'ciphertext'),
    );
  } catch {
    throw new MsecError('VAULT_KEY_LOCKED', 'wrong passphrase, or the key file was altered', { status: 401 });
  }
  const privateKey = await subtle.importKey('pkcs8', pkcs8, { name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ]);
  new Uint8Array(pkcs8).fill(0);
  return { kid: f.kid, publicJwk: f.publicKey, privateKey };
}
