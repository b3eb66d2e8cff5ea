/**
 * The client side of the CA: PKCS #10 requests signed by a key the caller holds, either a
 * KeyObject (a TLS key file) or a key inside a key store (the device's enrolled key, a TPM key).
 */
import { webcrypto, type KeyObject } from 'node:crypto';
import type { DeviceKeyStore } from '../device/index.ts';
import { ECDSA_P256, keyStoreCrypto, keyStoreKey } from './keystore-crypto.ts';
import { x509 } from './x509.ts';

/** A CSR (PEM) for an ECDSA P-256 key pair held as KeyObjects. */
export async function createCsr(privateKey: KeyObject, publicKey: KeyObject, name = 'msec client'): Promise<string> {
  const keys = {
    privateKey: await webcrypto.subtle.importKey(
      'pkcs8',
      privateKey.export({ type: 'pkcs8', format: 'der' }),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    ),
    publicKey: await webcrypto.subtle.importKey(
      'spki',
      publicKey.export({ type: 'spki', format: 'der' }),
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['verify'],
    ),
  };
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${name.replace(/[\\,+"<>;=#]/g, '_')}`,
    keys,
    signingAlgorithm: ECDSA_P256,
  });
  return csr.toString('pem');
}

/** A CSR (PEM) signed inside a key store by key `label`: the certificate key never leaves it. */
export async function createCsrInKeyStore(store: DeviceKeyStore, label: string, name = 'msec client'): Promise<string> {
  const pub = await store.getPublicKey(label);
  if (!pub) throw new Error(`no key ${label} in the key store`);
  const publicKey = await webcrypto.subtle.importKey(
    'spki',
    pub.publicKey.export({ type: 'spki', format: 'der' }),
    { name: 'ECDSA', namedCurve: 'P-256' },
    true,
    ['verify'],
  );
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: `CN=${name.replace(/[\\,+"<>;=#]/g, '_')}`,
      keys: { privateKey: keyStoreKey(store, label), publicKey },
      signingAlgorithm: ECDSA_P256,
    },
    keyStoreCrypto(),
  );
  return csr.toString('pem');
}

/** Renew once two thirds of the lifetime have passed: a day-long certificate is renewed after 16 h. */
export function renewalDue(cert: { notBefore: number; notAfter: number }, now: number): boolean {
  return now >= cert.notBefore + ((cert.notAfter - cert.notBefore) * 2) / 3;
}
