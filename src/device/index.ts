/** Public surface of the device module: key stores, COSE, signed and sealed readings. */
export type { DeviceKeyStore, KeyStoreKind, PublicKeyInfo } from './keystore/keystore.ts';
export {
  SoftwareKeyStore,
  DEFAULT_SCRYPT,
  type ScryptParams,
  type SoftwareKeyStoreOptions,
} from './keystore/software.ts';
export { TpmKeyStore, type TpmKeyStoreOptions, type TpmPublicKeyInfo } from './keystore/tpm.ts';
export {
  openTransport,
  verifyQuote,
  parseQuoteAttest,
  makeCredential,
  objectName,
  // TPM public-area builders, for verifiers that check a device's key templates.
  attestationKeyTemplate,
  keyObjectToEccPoint,
  marshalEccPublic,
  signingKeyTemplate,
  type TpmConnectOptions,
  type TpmTransport,
  type QuoteVerification,
  type VerifyQuoteInput,
  type MadeCredential,
} from './tpm/index.ts';
export * from './cose/index.ts';
export * from './reading/index.ts';
export * from './simulator/index.ts';
export * from './protocol.ts';
export { DEVICE_ERROR_CODES, type DeviceErrorCode } from './errors.ts';
