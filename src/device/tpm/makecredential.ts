import { createCipheriv, createECDH, createHash, createHmac, type KeyObject } from 'node:crypto';
import { MsecError } from '../../core/errors.ts';
import { TpmWriter } from './marshal.ts';
import { fixedWidth, keyObjectToEccPoint, marshalEccPoint, type EccPoint } from './structures.ts';

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Label with its terminating NUL, as TPM 2.0 Part 1 §11.4.10 requires. */
function label(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, 'ascii'), Buffer.alloc(1)]);
}

/** KDFa (SP800-108 counter mode, HMAC-SHA256), TPM 2.0 Part 1 §11.4.10.2. */
export function kdfa(key: Uint8Array, use: string, contextU: Uint8Array, contextV: Uint8Array, bits: number): Buffer {
  const out: Buffer[] = [];
  for (let counter = 1, have = 0; have * 8 < bits; counter++) {
    const block = createHmac('sha256', key)
      .update(u32(counter))
      .update(label(use))
      .update(contextU)
      .update(contextV)
      .update(u32(bits))
      .digest();
    out.push(block);
    have += block.length;
  }
  return Buffer.concat(out).subarray(0, Math.ceil(bits / 8));
}

/** KDFe (SP800-56A concatenation KDF, SHA-256), TPM 2.0 Part 1 §11.4.10.3. */
export function kdfe(z: Uint8Array, use: string, partyUInfo: Uint8Array, partyVInfo: Uint8Array, bits: number): Buffer {
  const out: Buffer[] = [];
  for (let counter = 1, have = 0; have * 8 < bits; counter++) {
    const block = createHash('sha256')
      .update(u32(counter))
      .update(z)
      .update(label(use))
      .update(partyUInfo)
      .update(partyVInfo)
      .digest();
    out.push(block);
    have += block.length;
  }
  return Buffer.concat(out).subarray(0, Math.ceil(bits / 8));
}

export interface MadeCredential {
  /** Contents of the TPM2B_ID_OBJECT (integrity HMAC + encrypted credential). */
  credentialBlob: Buffer;
  /** Contents of the TPM2B_ENCRYPTED_SECRET (the ephemeral ECC point). */
  secret: Buffer;
}

/**
 * TPM2_MakeCredential done by the verifier in software (TPM 2.0 Part 1 §24): only the TPM holding
 * the EK private key can recover `credential`, and only for the object whose Name is `objectName`.
 * The EK must be ECC P-256 with SHA-256 name algorithm and AES-128-CFB (the standard EK template).
 */
export function makeCredential(ekPublic: KeyObject, credential: Uint8Array, objectName: Uint8Array): MadeCredential {
  if (credential.length === 0 || credential.length > 32) {
    throw new MsecError('CREDENTIAL_INVALID', 'credential must be 1..32 bytes (a TPM2B_DIGEST)');
  }
  if (objectName.length !== 34)
    throw new MsecError('CREDENTIAL_INVALID', 'object name must be a SHA-256 TPM name (34 bytes)');
  let ek;
  try {
    ek = keyObjectToEccPoint(ekPublic);
  } catch {
    throw new MsecError('CREDENTIAL_INVALID', 'EK public key must be ECC P-256');
  }
  const { seed, encryptedSecret } = eccSecret(ek, 'IDENTITY');

  const symKey = kdfa(seed, 'STORAGE', objectName, new Uint8Array(0), 128);
  const cipher = createCipheriv('aes-128-cfb', symKey, Buffer.alloc(16));
  const plain = new TpmWriter().tpm2b(credential).toBuffer();
  const encIdentity = Buffer.concat([cipher.update(plain), cipher.final()]);
  const hmacKey = kdfa(seed, 'INTEGRITY', new Uint8Array(0), new Uint8Array(0), 256);
  const integrity = createHmac('sha256', hmacKey).update(encIdentity).update(objectName).digest();

  return {
    credentialBlob: new TpmWriter().tpm2b(integrity).bytes(encIdentity).toBuffer(),
    secret: encryptedSecret,
  };
}

/**
 * A secret only the holder of `recipient`'s private key can recover (TPM 2.0 Part 1 Annex C.6.1,
 * ECDH one-pass): Z from a fresh ephemeral key, seed = KDFe(Z, use, ephemeral.x, recipient.x).
 * `encryptedSecret` is the ephemeral public point (a TPMS_ECC_POINT) that the TPM needs to redo it.
 * Used for credentials (use "IDENTITY") and session salts ("SECRET").
 */
export function eccSecret(recipient: EccPoint, use: string): { seed: Buffer; encryptedSecret: Buffer } {
  const ephemeral = createECDH('prime256v1');
  ephemeral.generateKeys();
  const z =
    fixedWidth(ephemeral.computeSecret(Buffer.concat([Buffer.from([4]), recipient.x, recipient.y])), 32) ??
    Buffer.alloc(32);
  const ephemeralPublic = ephemeral.getPublicKey();
  const point = { x: ephemeralPublic.subarray(1, 33), y: ephemeralPublic.subarray(33, 65) };
  return { seed: kdfe(z, use, point.x, recipient.x, 256), encryptedSecret: marshalEccPoint(point) };
}
