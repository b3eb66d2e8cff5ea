/**
 * COSE_Encrypt (RFC 9052 §5.1, tag 96) with exactly one recipient, either 'direct' (a shared
 * symmetric key) or direct ECDH key agreement (ECDH-ES / ECDH-SS + HKDF, RFC 9053 §6.3).
 */
import { diffieHellman, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { decodeCbor, encodeCbor, CborTag, type CborValue } from './cbor.ts';
import { coseError } from './errors.ts';
import { Alg, CoseTag, Header, algOf, parseHeaders, untag, type HeaderMap, type Headers } from './headers.ts';
import { contentKeyBytes, encStructure, gcmDecrypt, gcmEncrypt, ivOf, GCM_IV_BYTES } from './aead.ts';
import { deriveContentKey, ecdhAlgInfo } from './ecdh.ts';
import { coseKeyFromPublicKey, curveOfKey, publicKeyFromCoseKey } from './keys.ts';
import { checkSize, DEFAULT_MAX_COSE_BYTES } from './sign1.ts';
import type { DecryptOptions } from './encrypt0.ts';

export interface CoseRecipient {
  headers: Headers;
  alg: number;
}

export interface EncryptMessage {
  headers: Headers;
  alg: number;
  ciphertext: Uint8Array;
  recipient: CoseRecipient;
}

/** ECDH on the recipient side: its private key, or a function running ECDH inside a key store. */
export type EcdhRecipientKey = KeyObject | ((peerPublicKey: KeyObject) => Uint8Array | Promise<Uint8Array>);

export interface EncryptRecipientKeys {
  /** Symmetric key for the 'direct' recipient algorithm. */
  directKey?: Uint8Array;
  ecdh?: EcdhRecipientKey;
}

export function decodeEncrypt(bytes: Uint8Array, maxBytes = DEFAULT_MAX_COSE_BYTES): EncryptMessage {
  checkSize(bytes, maxBytes);
  const [prot, unprot, ciphertext, recipients] = untag(decodeCbor(bytes), CoseTag.Encrypt, 4, 'COSE_Encrypt');
  const headers = parseHeaders(prot, unprot);
  if (!(ciphertext instanceof Uint8Array))
    throw coseError('COSE_MALFORMED', 'COSE_Encrypt: detached ciphertext is not supported');
  if (!Array.isArray(recipients) || recipients.length !== 1)
    throw coseError('COSE_MALFORMED', 'COSE_Encrypt: exactly one recipient is supported');
  const r = recipients[0];
  if (!Array.isArray(r) || r.length !== 3) throw coseError('COSE_MALFORMED', 'COSE_recipient must be an array of 3');
  const rHeaders = parseHeaders(r[0], r[1]);
  // Direct and direct key agreement carry no wrapped key: anything else is another mode.
  if (!(r[2] instanceof Uint8Array) || r[2].length !== 0)
    throw coseError('COSE_UNSUPPORTED_ALG', 'only direct recipients are supported');
  return { headers, alg: algOf(headers), ciphertext, recipient: { headers: rHeaders, alg: algOf(rHeaders) } };
}

/** The content key for the message's single recipient. */
export async function recipientContentKey(msg: EncryptMessage, keys: EncryptRecipientKeys): Promise<Uint8Array> {
  const { recipient } = msg;
  const keyBytes = contentKeyBytes(msg.alg);
  if (recipient.alg === Alg.direct) {
    if (!keys.directKey) throw coseError('COSE_BAD_KEY', 'a direct recipient needs the shared key');
    return keys.directKey;
  }
  const info = ecdhAlgInfo(recipient.alg);
  if (!keys.ecdh) throw coseError('COSE_BAD_KEY', 'a key agreement recipient needs the ECDH private key');
  const peerLabel = info.static ? Header.staticKey : Header.ephemeralKey;
  const peerRaw = recipient.headers.protected.get(peerLabel) ?? recipient.headers.unprotected.get(peerLabel);
  const peer = publicKeyFromCoseKey(peerRaw);
  let shared: Uint8Array;
  if (typeof keys.ecdh === 'function') shared = await keys.ecdh(peer);
  else {
    if (curveOfKey(keys.ecdh).cose !== curveOfKey(peer).cose)
      throw coseError('COSE_BAD_KEY', 'peer key is on another curve');
    shared = diffieHellman({ privateKey: keys.ecdh, publicKey: peer });
  }
  return deriveContentKey(recipient.alg, msg.alg, keyBytes, shared, recipient.headers);
}

export async function decryptEncrypt(
  bytes: Uint8Array,
  keys: EncryptRecipientKeys,
  opts: DecryptOptions = {},
): Promise<Uint8Array> {
  const msg = decodeEncrypt(bytes, opts.maxBytes);
  const cek = await recipientContentKey(msg, keys);
  const aad = encStructure('Encrypt', msg.headers.protectedBytes, opts.externalAad);
  return gcmDecrypt(msg.alg, cek, ivOf(msg.headers, opts.baseIv), msg.ciphertext, aad);
}

export interface CreateEcdhEncryptOptions {
  plaintext: Uint8Array;
  recipientPublicKey: KeyObject;
  /** Content algorithm (default A256GCM). */
  alg?: number;
  /** Key agreement algorithm: ECDH-ES + HKDF-256 (default) or + HKDF-512. */
  ecdhAlg?: number;
  recipientKid?: Uint8Array;
  /** PartyU / PartyV identities, sent in the recipient header and bound into the KDF. */
  partyUIdentity?: Uint8Array;
  partyVIdentity?: Uint8Array;
  externalAad?: Uint8Array;
  /** For test vectors only: a fixed ephemeral key and IV. */
  ephemeralPrivateKey?: KeyObject;
  iv?: Uint8Array;
}

/** COSE_Encrypt to one recipient by ECDH-ES with a fresh ephemeral key (unprotected label -1). */
export function createEcdhEncrypt(opts: CreateEcdhEncryptOptions): Uint8Array {
  const alg = opts.alg ?? Alg.A256GCM;
  const ecdhAlg = opts.ecdhAlg ?? Alg.ECDH_ES_HKDF_256;
  if (ecdhAlgInfo(ecdhAlg).static) throw coseError('COSE_UNSUPPORTED_ALG', 'only ECDH-ES is offered for sending');
  const curve = curveOfKey(opts.recipientPublicKey);
  const ephemeral = opts.ephemeralPrivateKey ?? generateKeyPairSync('ec', { namedCurve: curve.node }).privateKey;
  const shared = diffieHellman({ privateKey: ephemeral, publicKey: opts.recipientPublicKey });

  const rProtectedBytes = encodeCbor(new Map<number, CborValue>([[Header.alg, ecdhAlg]]));
  const rUnprotected: HeaderMap = new Map<number, CborValue>([[Header.ephemeralKey, coseKeyFromPublicKey(ephemeral)]]);
  if (opts.recipientKid) rUnprotected.set(Header.kid, opts.recipientKid);
  if (opts.partyUIdentity) rUnprotected.set(Header.partyUIdentity, opts.partyUIdentity);
  if (opts.partyVIdentity) rUnprotected.set(Header.partyVIdentity, opts.partyVIdentity);
  const rHeaders = parseHeaders(rProtectedBytes, rUnprotected);
  const cek = deriveContentKey(ecdhAlg, alg, contentKeyBytes(alg), shared, rHeaders);

  const protectedBytes = encodeCbor(new Map<number, CborValue>([[Header.alg, alg]]));
  const iv = opts.iv ?? randomBytes(GCM_IV_BYTES);
  const ciphertext = gcmEncrypt(
    alg,
    cek,
    iv,
    opts.plaintext,
    encStructure('Encrypt', protectedBytes, opts.externalAad),
  );
  const recipient: CborValue = [rProtectedBytes, rUnprotected, new Uint8Array(0)];
  return encodeCbor(
    new CborTag(CoseTag.Encrypt, [
      protectedBytes,
      new Map<number, CborValue>([[Header.iv, iv]]),
      ciphertext,
      [recipient],
    ]),
  );
}
