/** ECDSA for COSE (RFC 9053 §2.1): hash by algorithm, signature as r||s of the key's curve size. */
import { verify as nodeVerify, type KeyObject } from 'node:crypto';
import { Alg } from './headers.ts';
import { coseError } from './errors.ts';
import { sharedVerifyPool } from './verify-pool.ts';

const HASH_OF_ALG = new Map<number, string>([
  [Alg.ES256, 'sha256'],
  [Alg.ES384, 'sha384'],
  [Alg.ES512, 'sha512'],
]);

const COORDINATE_BYTES: Record<string, number> = { prime256v1: 32, secp384r1: 48, secp521r1: 66 };

// Key details are looked up once per KeyObject: callers cache KeyObjects, so this stays hot.
const keyCoordinateBytes = new WeakMap<KeyObject, number>();

export function coordinateBytes(key: KeyObject): number {
  let n = keyCoordinateBytes.get(key);
  if (n === undefined) {
    const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
    n = curve === undefined ? undefined : COORDINATE_BYTES[curve];
    if (n === undefined) throw coseError('COSE_BAD_KEY', 'verification key must be an EC key on P-256, P-384 or P-521');
    keyCoordinateBytes.set(key, n);
  }
  return n;
}

export function hashOfSignatureAlg(alg: number): string {
  const hash = HASH_OF_ALG.get(alg);
  if (!hash) throw coseError('COSE_UNSUPPORTED_ALG', `unsupported signature algorithm ${alg}`);
  return hash;
}

/** Throws COSE_BAD_SIGNATURE unless `signature` is a valid ECDSA signature of `data`. */
export function verifyEcdsa(alg: number, key: KeyObject, data: Uint8Array, signature: Uint8Array): void {
  const hash = checkedHash(alg, key, signature);
  let ok = false;
  try {
    ok = nodeVerify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw badSignature();
}

/**
 * verifyEcdsa on worker threads (sharedVerifyPool): the calling thread only packs the bytes, so
 * a hub's event loop keeps serving while other cores check signatures.
 */
export function verifyEcdsaAsync(alg: number, key: KeyObject, data: Uint8Array, signature: Uint8Array): Promise<void> {
  let hash: string;
  try {
    hash = checkedHash(alg, key, signature);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  return sharedVerifyPool()
    .verify(hash, key, data, signature)
    .then((ok) => {
      if (!ok) throw badSignature();
    });
}

/** The hash for `alg`, after checking the key kind and the signature length against the curve. */
function checkedHash(alg: number, key: KeyObject, signature: Uint8Array): string {
  const hash = hashOfSignatureAlg(alg);
  if (key.type !== 'public' && key.type !== 'private')
    throw coseError('COSE_BAD_KEY', 'verification key must be asymmetric');
  if (signature.length !== 2 * coordinateBytes(key))
    throw coseError('COSE_BAD_SIGNATURE', 'signature has the wrong length');
  return hash;
}

function badSignature(): Error {
  return coseError('COSE_BAD_SIGNATURE', 'signature does not verify');
}
