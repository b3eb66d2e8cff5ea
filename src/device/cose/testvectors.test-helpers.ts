/** Shared loading of cose-wg/Examples vectors for the COSE tests (test-only helper). */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface VectorJwk {
  kty: string;
  kid?: string;
  crv?: string;
  x?: string;
  y?: string;
  d?: string;
  k?: string;
}

export interface Vector {
  file: string;
  title: string;
  fail?: boolean;
  input: Record<string, any>;
  intermediates: Record<string, any>;
  output: { cbor: string; cbor_diag?: string };
}

export function loadVectors(dir: string, sub: string): Vector[] {
  const folder = join(dir, sub);
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(folder, f), 'utf8')) as Omit<Vector, 'file'>) }));
}

export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

export function publicKeyOf(jwk: VectorJwk): KeyObject {
  return createPublicKey({ key: { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
}

export function privateKeyOf(jwk: VectorJwk): KeyObject {
  return createPrivateKey({ key: { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y, d: jwk.d }, format: 'jwk' });
}

export function symmetricKeyOf(jwk: VectorJwk): Uint8Array {
  return new Uint8Array(Buffer.from(jwk.k ?? '', 'base64url'));
}
