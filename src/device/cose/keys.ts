/** COSE_Key (RFC 9053 §7.1, EC2) <-> node:crypto KeyObject, for ephemeral and static ECDH keys. */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { CborKey, CborValue } from './cbor.ts';
import { coseError } from './errors.ts';

const KTY_EC2 = 2;
const KeyLabel = { kty: 1, crv: -1, x: -2, y: -3 } as const;

interface CurveInfo {
  cose: number;
  jwk: 'P-256' | 'P-384' | 'P-521';
  node: string;
  size: number;
}

const CURVES: CurveInfo[] = [
  { cose: 1, jwk: 'P-256', node: 'prime256v1', size: 32 },
  { cose: 2, jwk: 'P-384', node: 'secp384r1', size: 48 },
  { cose: 3, jwk: 'P-521', node: 'secp521r1', size: 66 },
];

export function curveOfKey(key: KeyObject): CurveInfo {
  const name = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const curve = CURVES.find((c) => c.node === name);
  if (!curve) throw coseError('COSE_BAD_KEY', 'key must be an EC key on P-256, P-384 or P-521');
  return curve;
}

/** Public EC2 COSE_Key map (kty, crv, x, y) of a node key. */
export function coseKeyFromPublicKey(key: KeyObject): Map<CborKey, CborValue> {
  const curve = curveOfKey(key);
  // Export from the public half only, so a private scalar can never end up in a header.
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw coseError('COSE_BAD_KEY', 'key has no coordinates');
  return new Map<CborKey, CborValue>([
    [KeyLabel.kty, KTY_EC2],
    [KeyLabel.crv, curve.cose],
    [KeyLabel.x, Buffer.from(jwk.x, 'base64url')],
    [KeyLabel.y, Buffer.from(jwk.y, 'base64url')],
  ]);
}

/**
 * Parses an attacker-supplied EC2 public COSE_Key. Coordinates must have the curve's exact
 * length, and node:crypto rejects points that are not on the curve (invalid-curve attacks).
 * Compressed points (y as a boolean) are not accepted.
 */
export function publicKeyFromCoseKey(value: CborValue | undefined): KeyObject {
  if (!(value instanceof Map)) throw coseError('COSE_MALFORMED', 'COSE_Key must be a map');
  if (value.get(KeyLabel.kty) !== KTY_EC2) throw coseError('COSE_BAD_KEY', 'COSE_Key must be EC2');
  const curve = CURVES.find((c) => c.cose === value.get(KeyLabel.crv));
  if (!curve) throw coseError('COSE_BAD_KEY', 'COSE_Key curve must be P-256, P-384 or P-521');
  const x = value.get(KeyLabel.x);
  const y = value.get(KeyLabel.y);
  if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array) || x.length !== curve.size || y.length !== curve.size) {
    throw coseError('COSE_BAD_KEY', 'COSE_Key coordinates must be byte strings of the curve size');
  }
  try {
    return createPublicKey({
      key: {
        kty: 'EC',
        crv: curve.jwk,
        x: Buffer.from(x).toString('base64url'),
        y: Buffer.from(y).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    throw coseError('COSE_BAD_KEY', 'COSE_Key is not a valid point on its curve');
  }
}
