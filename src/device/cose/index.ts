export { decodeCbor, encodeCbor, CborTag, type CborKey, type CborValue, type DecodeLimits } from './cbor.ts';
export { coseError, type CoseErrorCode } from './errors.ts';
export { Alg, CoseTag, Header, parseHeaders, type HeaderMap, type Headers } from './headers.ts';
export {
  createSign1,
  decodeSign1,
  sign1ToBeSigned,
  verifySign1,
  verifySign1Message,
  verifySign1MessageAsync,
  DEFAULT_MAX_COSE_BYTES,
  type CreateSign1Options,
  type Sign1Message,
} from './sign1.ts';
export { decodeSign, signToBeSigned, verifySign, type CoseSigner, type SignMessage } from './sign.ts';
export { createEncrypt0, decryptEncrypt0, type CreateEncrypt0Options, type DecryptOptions } from './encrypt0.ts';
export {
  createEcdhEncrypt,
  decodeEncrypt,
  decryptEncrypt,
  recipientContentKey,
  type CreateEcdhEncryptOptions,
  type EcdhRecipientKey,
  type EncryptMessage,
  type EncryptRecipientKeys,
} from './encrypt.ts';
export { kdfContext } from './ecdh.ts';
export { coseKeyFromPublicKey, publicKeyFromCoseKey } from './keys.ts';
