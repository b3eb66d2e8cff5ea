/**
 * A WebCrypto `Crypto` for @peculiar/x509 whose signing goes to a key store: the CA's private key
 * (or a device's) never leaves the store (software, encrypted at rest; or a TPM). Everything else
 * (digests, verification, random serials) is Node's own webcrypto.
 */
import { webcrypto } from 'node:crypto';
import type { DeviceKeyStore } from '../device/index.ts';

/** The algorithm every msec CA key and device key uses: ECDSA P-256 with SHA-256. */
export const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

const STORE_KEY = Symbol('msec.keystore-key');

interface StoreKey {
  [STORE_KEY]: { store: DeviceKeyStore; label: string };
  algorithm: { name: 'ECDSA'; namedCurve: 'P-256' };
  type: 'private';
  extractable: false;
  usages: ['sign'];
}

/** A handle standing for key `label` of `store`; only a `keyStoreCrypto` can sign with it. */
export function keyStoreKey(store: DeviceKeyStore, label: string): CryptoKey {
  const key: StoreKey = {
    [STORE_KEY]: { store, label },
    algorithm: { name: 'ECDSA', namedCurve: 'P-256' },
    type: 'private',
    extractable: false,
    usages: ['sign'],
  };
  return key as unknown as CryptoKey;
}

/** Node's webcrypto, except that `subtle.sign` with a keyStoreKey signs inside the store (P1363 r||s). */
export function keyStoreCrypto(): Crypto {
  const subtle = webcrypto.subtle;
  const sign = async (
    algorithm: unknown,
    key: CryptoKey,
    data: ArrayBuffer | ArrayBufferView,
  ): Promise<ArrayBuffer> => {
    const held = (key as unknown as Partial<StoreKey>)[STORE_KEY];
    if (!held)
      return subtle.sign(
        algorithm as Parameters<typeof subtle.sign>[0],
        key,
        data as Parameters<typeof subtle.sign>[2],
      );
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const sig = await held.store.sign(held.label, bytes);
    return sig.buffer.slice(sig.byteOffset, sig.byteOffset + sig.byteLength) as ArrayBuffer;
  };
  const proxy = new Proxy(subtle, {
    get(target, prop) {
      if (prop === 'sign') return sign;
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    subtle: proxy,
    getRandomValues: webcrypto.getRandomValues.bind(webcrypto),
    randomUUID: webcrypto.randomUUID.bind(webcrypto),
  } as unknown as Crypto;
}
