/**
 * Sealed readings: sign-then-encrypt. The plaintext of a COSE_Encrypt (A256GCM, one recipient,
 * ECDH-ES + HKDF-256 with a fresh ephemeral key) is the signed COSE_Sign1 reading, so the hub
 * first decrypts and then verifies the device signature exactly as for a clear reading.
 */
import type { KeyObject } from 'node:crypto';
import { Alg } from '../cose/headers.ts';
import { coseError } from '../cose/errors.ts';
import { createEcdhEncrypt, decodeEncrypt, decryptEncrypt, type EcdhRecipientKey } from '../cose/encrypt.ts';
import { MAX_SIGNED_READING_BYTES } from './signed.ts';

/** A sealed reading is the signed reading plus at most this much envelope. */
export const MAX_SEALED_READING_BYTES = MAX_SIGNED_READING_BYTES + 1024;

export interface SealOptions {
  /** Hub key id, so a hub with several keys picks the right one. */
  hubKid?: string;
  /** PartyU identity (the device id) and PartyV identity (the hub id), bound into the KDF. */
  senderId?: string;
  recipientId?: string;
}

const utf8 = new TextEncoder();

export function sealReading(signedBytes: Uint8Array, hubPublicKey: KeyObject, opts: SealOptions = {}): Uint8Array {
  if (signedBytes.length > MAX_SIGNED_READING_BYTES)
    throw coseError('COSE_TOO_LARGE', 'signed reading is too large to seal');
  return createEcdhEncrypt({
    plaintext: signedBytes,
    recipientPublicKey: hubPublicKey,
    alg: Alg.A256GCM,
    ecdhAlg: Alg.ECDH_ES_HKDF_256,
    ...(opts.hubKid ? { recipientKid: utf8.encode(opts.hubKid) } : {}),
    ...(opts.senderId ? { partyUIdentity: utf8.encode(opts.senderId) } : {}),
    ...(opts.recipientId ? { partyVIdentity: utf8.encode(opts.recipientId) } : {}),
  });
}

/**
 * Opens a sealed reading with the hub's ECDH private key (or a key-store derive function) and
 * returns the inner signed bytes, still to be verified with verifyReading. Only A256GCM with
 * ECDH-ES + HKDF-256 is accepted: the sealing profile, nothing weaker.
 */
export async function openSealedReading(bytes: Uint8Array, hubKey: EcdhRecipientKey): Promise<Uint8Array> {
  const msg = decodeEncrypt(bytes, MAX_SEALED_READING_BYTES);
  if (msg.alg !== Alg.A256GCM || msg.recipient.alg !== Alg.ECDH_ES_HKDF_256) {
    throw coseError('COSE_UNSUPPORTED_ALG', 'sealed readings must use A256GCM with ECDH-ES + HKDF-256');
  }
  return decryptEncrypt(bytes, { ecdh: hubKey }, { maxBytes: MAX_SEALED_READING_BYTES });
}
