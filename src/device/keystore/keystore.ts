import type { KeyObject } from 'node:crypto';
import { MsecError } from '../../core/errors.ts';

export type KeyStoreKind = 'software' | 'tpm';

/** A public key held by a key store, as node:crypto object and JWK (for registration with the hub). */
export interface PublicKeyInfo {
  /** Key label inside the store (e.g. 'signing', 'ecdh'). */
  label: string;
  publicKey: KeyObject;
  jwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
}

/**
 * The secure element port of a device. Private keys never leave an implementation:
 * there is deliberately no export method. Software back end: keys encrypted at rest;
 * TPM 2.0 back end: keys created and used inside the TPM.
 */
export interface DeviceKeyStore {
  readonly kind: KeyStoreKind;
  /** Creates the ECDSA P-256 signing key under `label` if absent; returns its public half. */
  ensureSigningKey(label: string): Promise<PublicKeyInfo>;
  /** ECDSA P-256 over SHA-256 of `data`; returns the 64-byte r||s form COSE uses (IEEE P1363). */
  sign(label: string, data: Uint8Array): Promise<Uint8Array>;
  /** Creates the ECDH P-256 key under `label` if absent; returns its public half. */
  ensureEcdhKey(label: string): Promise<PublicKeyInfo>;
  /** ECDH with the peer's P-256 public key; returns the 32-byte shared secret (x coordinate, Z). */
  deriveSharedSecret(label: string, peerPublicKey: KeyObject): Promise<Uint8Array>;
  /** Public half of an existing key, or undefined. */
  getPublicKey(label: string): Promise<PublicKeyInfo | undefined>;
  /** Deletes a key (rotation); signing with it afterwards fails. */
  deleteKey(label: string): Promise<void>;
  close(): Promise<void>;
}

/** Key labels every back end accepts: they name files and map entries, so no leading dot. */
const KEY_LABEL = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

export function isKeyLabel(label: unknown): label is string {
  return typeof label === 'string' && KEY_LABEL.test(label);
}

/** The typed errors of key stores (KEYSTORE_*), shared by every back end. */
export function keystoreError(code: string, message: string, status = 400): MsecError {
  return new MsecError(code, message, { status });
}

export function badLabel(): MsecError {
  return keystoreError('KEYSTORE_BAD_LABEL', 'key label must be 1 to 64 of [A-Za-z0-9._-], not starting with a dot');
}
