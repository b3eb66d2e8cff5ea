import { TPMA_OBJECT as A, TPM_ALG, TPM_ECC_NIST_P256 } from './constants.ts';
import type { EccPublicArea } from './structures.ts';

const AES128_CFB = { algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB };
const ECDSA_SHA256 = { scheme: TPM_ALG.ECDSA, hashAlg: TPM_ALG.SHA256 };
const ZERO32 = Buffer.alloc(32);
const EMPTY = Buffer.alloc(0);

/** PolicySecret(TPM_RH_ENDORSEMENT): the EK's authPolicy (TCG EK Credential Profile). */
export const EK_AUTH_POLICY = Buffer.from('837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa', 'hex');

// Our own keys are noDA: they have an empty auth value, so dictionary-attack accounting would only
// let an unclean power loss push the TPM toward lockout.
const OWN_KEY = A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.noDA;

/** Storage root key: ECC P-256 restricted decryption key with AES-128-CFB (TCG provisioning guidance). */
export function srkTemplate(): EccPublicArea {
  return {
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: OWN_KEY | A.restricted | A.decrypt,
    authPolicy: EMPTY,
    symmetric: AES128_CFB,
    curveId: TPM_ECC_NIST_P256,
    x: ZERO32,
    y: ZERO32,
  };
}

/** Endorsement key: TCG EK Credential Profile template L-2 (ECC NIST P-256). */
export function ekTemplate(): EccPublicArea {
  return {
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.adminWithPolicy | A.restricted | A.decrypt,
    authPolicy: EK_AUTH_POLICY,
    symmetric: AES128_CFB,
    curveId: TPM_ECC_NIST_P256,
    x: ZERO32,
    y: ZERO32,
  };
}

/** Unrestricted ECDSA-SHA256 P-256 signing key (signs any digest: device readings). */
export function signingKeyTemplate(): EccPublicArea {
  return {
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: OWN_KEY | A.sign,
    authPolicy: EMPTY,
    scheme: ECDSA_SHA256,
    curveId: TPM_ECC_NIST_P256,
    x: EMPTY,
    y: EMPTY,
  };
}

/** P-256 key-agreement key (decrypt attribute, NULL scheme) usable with ECDH_ZGen. */
export function ecdhKeyTemplate(): EccPublicArea {
  return {
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: OWN_KEY | A.decrypt,
    authPolicy: EMPTY,
    curveId: TPM_ECC_NIST_P256,
    x: EMPTY,
    y: EMPTY,
  };
}

/** Attestation key: restricted ECDSA-SHA256 signing key (signs only TPM-generated structures). */
export function attestationKeyTemplate(): EccPublicArea {
  return {
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: OWN_KEY | A.restricted | A.sign,
    authPolicy: EMPTY,
    scheme: ECDSA_SHA256,
    curveId: TPM_ECC_NIST_P256,
    x: EMPTY,
    y: EMPTY,
  };
}
