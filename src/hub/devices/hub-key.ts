/**
 * The hub's ECDH P-256 key pair that devices seal confidential readings to. Created (0600) in the
 * data directory on first start, like the platform signing key.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { jwkThumbprint, readTextIfExists, writePrivateFile } from '../../core/index.ts';
import type { EcJwk } from './metadata.ts';

export interface HubEcdhKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: EcJwk;
  /** RFC 7638 thumbprint; devices put it in the recipient's kid. */
  kid: string;
}

function fromPrivate(privateKey: KeyObject): HubEcdhKey {
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const publicJwk: EcJwk = { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) };
  return { privateKey, publicKey, publicJwk, kid: jwkThumbprint(publicJwk) };
}

export function loadOrCreateHubEcdhKey(dataDir: string): { key: HubEcdhKey; created: boolean; path: string } {
  const path = join(dataDir, 'keys', 'hub-ecdh.pem');
  const existing = readTextIfExists(path);
  if (existing) return { key: fromPrivate(createPrivateKey(existing)), created: false, path };
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writePrivateFile(path, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  return { key: fromPrivate(privateKey), created: true, path };
}
