/** Native TPM 2.0 command path (the role wolfTPM played on the M-Sec devices) and attestation primitives. */
export * from './constants.ts';
export { decodeResponseCode, tpmResponseError, isTpmRc, type DecodedResponseCode } from './errors.ts';
export { TpmReader, TpmWriter } from './marshal.ts';
export {
  SwtpmSocketTransport,
  CharDeviceTransport,
  openTransport,
  type TpmTransport,
  type TpmConnectOptions,
} from './transport.ts';
export {
  TpmClient,
  passwordSession,
  policySession,
  marshalCommand,
  unmarshalResponse,
  type AuthSession,
  type CommandSpec,
  type CommandResult,
  type AuthResponse,
} from './client.ts';
export * from './structures.ts';
export * from './templates.ts';
export { startup, selfTest, getRandom, hashInTpm, flushContext } from './commands/base.ts';
export {
  createPrimary,
  create,
  load,
  readPublic,
  evictControl,
  type LoadedObject,
  type CreatedKey,
} from './commands/objects.ts';
export { sign, ecdhZGen, type KeyAuthorization } from './commands/crypto.ts';
export { HmacSession, TPMA_SESSION, type SessionCommand } from './hmac-session.ts';
export { pcrExtend, pcrRead, quote, type Quote } from './commands/pcr.ts';
export { startAuthSession, policySecret, activateCredential, type StartedSession } from './commands/credential.ts';
export {
  readPersistent,
  persist,
  ensurePersistentPrimary,
  ensureSrk,
  ensureEk,
  createPersistentKey,
} from './provision.ts';
export {
  parseQuoteAttest,
  verifyQuote,
  type QuoteAttest,
  type VerifyQuoteInput,
  type QuoteVerification,
} from './attest.ts';
export { makeCredential, eccSecret, kdfa, kdfe, type MadeCredential } from './makecredential.ts';
