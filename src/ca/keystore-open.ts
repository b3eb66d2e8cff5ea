import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readTextIfExists, writePrivateFile } from '../core/index.ts';
import {
  DEFAULT_SCRYPT,
  SoftwareKeyStore,
  TpmKeyStore,
  type DeviceKeyStore,
  type ScryptParams,
  type TpmConnectOptions,
} from '../device/index.ts';

export interface CaKeyStoreOptions {
  /** A TPM 2.0 for the CA key (it is created and used inside the TPM); else the software store. */
  tpm?: TpmConnectOptions | undefined;
  /** Passphrase file of the software store; default `<dataDir>/keys/ca-passphrase`, made on first start. */
  passphraseFile?: string | undefined;
  scrypt?: ScryptParams | undefined;
}

/**
 * The CA key lives in the platform's key store: the same software (AES-256-GCM at rest) and
 * TPM 2.0 back ends the devices use, under `<dataDir>/keys/ca/`.
 */
export async function openCaKeyStore(dataDir: string, o: CaKeyStoreOptions): Promise<DeviceKeyStore> {
  const dir = join(dataDir, 'keys', 'ca');
  if (o.tpm) return TpmKeyStore.open({ stateDir: dir, tpm: o.tpm });
  const file = o.passphraseFile ?? join(dataDir, 'keys', 'ca-passphrase');
  let passphrase = readTextIfExists(file)?.replace(/\r?\n$/, '');
  if (!passphrase) {
    if (o.passphraseFile) throw new Error(`the CA passphrase file ${file} is missing or empty`);
    passphrase = randomBytes(32).toString('base64url');
    writePrivateFile(file, passphrase);
  }
  return SoftwareKeyStore.open({ dir, passphrase, scrypt: o.scrypt ?? DEFAULT_SCRYPT });
}
