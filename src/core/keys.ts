import { createPrivateKey, createPublicKey, generateKeyPairSync, createHash, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { join } from 'node:path';
import { readTextIfExists, writePrivateFile } from './files.ts';

export interface PlatformKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** RFC 7638 JWK thumbprint, used as `kid` in JWTs and signed tree heads. */
  kid: string;
  publicJwk: JWK;
}

/** RFC 7638 thumbprint of an EC public JWK. */
export function jwkThumbprint(jwk: Pick<JWK, 'crv' | 'kty' | 'x' | 'y'>): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

export function platformKeyFromPem(pem: string): PlatformKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  return { privateKey, publicKey, publicJwk, kid: jwkThumbprint(publicJwk) };
}

/**
 * Loads the platform's ECDSA P-256 signing key from the data directory, creating it (0600) on
 * first start. It signs access tokens and tree heads.
 */
export function loadOrCreatePlatformKey(dataDir: string): { key: PlatformKey; created: boolean; path: string } {
  const path = join(dataDir, 'keys', 'platform-signing.pem');
  const existing = readTextIfExists(path);
  if (existing) return { key: platformKeyFromPem(existing), created: false, path };
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  writePrivateFile(path, pem);
  return { key: platformKeyFromPem(pem), created: true, path };
}

export function generatePlatformKey(): PlatformKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return platformKeyFromPem(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
}
