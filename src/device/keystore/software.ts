/**
 * Software back end of the device key store: P-256 keys made by node:crypto, each kept in its
 * own file encrypted at rest with AES-256-GCM under a key derived by scrypt from a passphrase.
 *
 * Layout of `dir` (0700): `store.json` holds the scrypt salt and parameters and a check value
 * (so a wrong passphrase is told apart from a damaged key file); `<label>.key` (0600) holds one
 * key. The label and key type are bound into each file as GCM associated data, so renaming or
 * swapping files is detected as corruption.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  scrypt as scryptCb,
  sign as nodeSign,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensurePrivateDir, writePrivateFile } from '../../core/files.ts';
import {
  badLabel,
  isKeyLabel,
  keystoreError,
  type DeviceKeyStore,
  type KeyStoreKind,
  type PublicKeyInfo,
} from './keystore.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP-style interactive default; tests pass a cheaper N. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

export interface SoftwareKeyStoreOptions {
  dir: string;
  passphrase: string;
  /** Used only when the store is created; an existing store keeps its own parameters. */
  scrypt?: ScryptParams;
}

type KeyType = 'signing' | 'ecdh';

interface EncryptedBox {
  iv: string;
  tag: string;
  ct: string;
}

const CHECK_AAD = Buffer.from('msec-keystore-check-v1');
const CHECK_VALUE = Buffer.from('msec software key store');

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): EncryptedBox {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
}

/** Returns the plaintext, or undefined when authentication fails. */
function open(key: Buffer, box: EncryptedBox, aad: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64'));
    decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(box.ct, 'base64')), decipher.final()]);
  } catch {
    return undefined;
  }
}

function isBox(v: unknown): v is EncryptedBox {
  const b = v as Record<string, unknown> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.iv === 'string' &&
    typeof b.tag === 'string' &&
    typeof b.ct === 'string'
  );
}

function publicInfo(label: string, publicKey: KeyObject): PublicKeyInfo {
  const jwk = publicKey.export({ format: 'jwk' });
  return { label, publicKey, jwk: { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) } };
}

interface LoadedKey {
  type: KeyType;
  privateKey: KeyObject;
  info: PublicKeyInfo;
}

export class SoftwareKeyStore implements DeviceKeyStore {
  readonly kind: KeyStoreKind = 'software';
  private readonly loaded = new Map<string, LoadedKey>();
  /** Serialises creation per label so concurrent ensure calls agree on one key. */
  private readonly pending = new Map<string, Promise<LoadedKey>>();
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly masterKey: Buffer,
  ) {}

  /** Opens the store in `dir`, creating it on first use. Wrong passphrase: KEYSTORE_BAD_PASSPHRASE. */
  static async open(opts: SoftwareKeyStoreOptions): Promise<SoftwareKeyStore> {
    if (typeof opts.passphrase !== 'string' || opts.passphrase.length === 0) {
      throw keystoreError('KEYSTORE_BAD_PASSPHRASE', 'a non-empty passphrase is required');
    }
    ensurePrivateDir(opts.dir);
    const metaPath = join(opts.dir, 'store.json');
    if (!existsSync(metaPath)) {
      const params = opts.scrypt ?? DEFAULT_SCRYPT;
      const salt = randomBytes(16);
      const key = await deriveKey(opts.passphrase, salt, params);
      const meta = {
        v: 1,
        kdf: { name: 'scrypt', ...params, salt: salt.toString('base64') },
        check: seal(key, CHECK_VALUE, CHECK_AAD),
      };
      writePrivateFile(metaPath, JSON.stringify(meta, null, 2));
      return new SoftwareKeyStore(opts.dir, key);
    }
    let meta: {
      v?: unknown;
      kdf?: { name?: unknown; N?: unknown; r?: unknown; p?: unknown; salt?: unknown };
      check?: unknown;
    };
    try {
      meta = JSON.parse(readFileSync(metaPath, 'utf8')) as typeof meta;
    } catch {
      throw keystoreError('KEYSTORE_CORRUPT', 'store.json is not valid JSON', 500);
    }
    const kdf = meta.kdf;
    if (meta.v !== 1 || !kdf || kdf.name !== 'scrypt' || typeof kdf.salt !== 'string' || !isBox(meta.check)) {
      throw keystoreError('KEYSTORE_CORRUPT', 'store.json has an unknown format', 500);
    }
    const params = { N: kdf.N, r: kdf.r, p: kdf.p };
    if (
      ![params.N, params.r, params.p].every((n) => Number.isSafeInteger(n) && (n as number) > 0) ||
      (params.N as number) > 2 ** 20
    ) {
      throw keystoreError('KEYSTORE_CORRUPT', 'store.json has invalid scrypt parameters', 500);
    }
    const key = await deriveKey(opts.passphrase, Buffer.from(kdf.salt, 'base64'), params as ScryptParams);
    const check = open(key, meta.check, CHECK_AAD);
    if (!check || !check.equals(CHECK_VALUE))
      throw keystoreError('KEYSTORE_BAD_PASSPHRASE', 'wrong passphrase for this key store', 401);
    return new SoftwareKeyStore(opts.dir, key);
  }

  ensureSigningKey(label: string): Promise<PublicKeyInfo> {
    return this.ensure(label, 'signing').then((k) => k.info);
  }

  ensureEcdhKey(label: string): Promise<PublicKeyInfo> {
    return this.ensure(label, 'ecdh').then((k) => k.info);
  }

  async sign(label: string, data: Uint8Array): Promise<Uint8Array> {
    const key = this.require(label, 'signing');
    return new Uint8Array(nodeSign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }));
  }

  async deriveSharedSecret(label: string, peerPublicKey: KeyObject): Promise<Uint8Array> {
    const key = this.require(label, 'ecdh');
    const curve =
      peerPublicKey?.asymmetricKeyType === 'ec' ? peerPublicKey.asymmetricKeyDetails?.namedCurve : undefined;
    if (curve !== 'prime256v1') throw keystoreError('KEYSTORE_BAD_PEER_KEY', 'peer key must be an EC P-256 public key');
    const publicKey = peerPublicKey.type === 'private' ? createPublicKey(peerPublicKey) : peerPublicKey;
    return new Uint8Array(diffieHellman({ privateKey: key.privateKey, publicKey }));
  }

  async getPublicKey(label: string): Promise<PublicKeyInfo | undefined> {
    this.checkOpen(label);
    return this.loadFromDisk(label)?.info;
  }

  async deleteKey(label: string): Promise<void> {
    this.checkOpen(label);
    this.loaded.delete(label);
    rmSync(this.path(label), { force: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.loaded.clear();
    this.masterKey.fill(0);
  }

  private path(label: string): string {
    return join(this.dir, `${label}.key`);
  }

  private checkOpen(label: string): void {
    if (this.closed) throw keystoreError('KEYSTORE_CLOSED', 'the key store is closed', 500);
    if (!isKeyLabel(label)) throw badLabel();
  }

  private require(label: string, type: KeyType): LoadedKey {
    this.checkOpen(label);
    const key = this.loadFromDisk(label);
    if (!key) throw keystoreError('KEYSTORE_KEY_NOT_FOUND', `no key with label ${label}`, 404);
    if (key.type !== type)
      throw keystoreError('KEYSTORE_WRONG_KEY_TYPE', `key ${label} is a ${key.type} key, not ${type}`);
    return key;
  }

  private loadFromDisk(label: string): LoadedKey | undefined {
    const cached = this.loaded.get(label);
    if (cached) return cached;
    const path = this.path(label);
    if (!existsSync(path)) return undefined;
    let file: { v?: unknown; type?: unknown; box?: unknown };
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as typeof file;
    } catch {
      throw keystoreError('KEYSTORE_CORRUPT', `key file ${label} is not valid JSON`, 500);
    }
    if (file.v !== 1 || (file.type !== 'signing' && file.type !== 'ecdh') || !isBox(file.box)) {
      throw keystoreError('KEYSTORE_CORRUPT', `key file ${label} has an unknown format`, 500);
    }
    const der = open(this.masterKey, file.box, aadFor(label, file.type));
    if (!der)
      throw keystoreError('KEYSTORE_CORRUPT', `key file ${label} fails authentication (tampered or swapped)`, 500);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    der.fill(0);
    const key: LoadedKey = { type: file.type, privateKey, info: publicInfo(label, createPublicKey(privateKey)) };
    this.loaded.set(label, key);
    return key;
  }

  private ensure(label: string, type: KeyType): Promise<LoadedKey> {
    try {
      this.checkOpen(label);
    } catch (err) {
      return Promise.reject(err);
    }
    const inFlight = this.pending.get(label);
    const next = (inFlight ?? Promise.resolve()).then(() => this.ensureNow(label, type));
    const settled = next.finally(() => {
      if (this.pending.get(label) === settled) this.pending.delete(label);
    });
    this.pending.set(label, settled);
    return settled;
  }

  private ensureNow(label: string, type: KeyType): LoadedKey {
    this.checkOpen(label);
    const existing = this.loadFromDisk(label);
    if (existing) {
      if (existing.type !== type)
        throw keystoreError('KEYSTORE_WRONG_KEY_TYPE', `key ${label} is a ${existing.type} key, not ${type}`);
      return existing;
    }
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const box = seal(this.masterKey, der, aadFor(label, type));
    der.fill(0);
    writePrivateFile(this.path(label), JSON.stringify({ v: 1, type, box }));
    const key: LoadedKey = { type, privateKey, info: publicInfo(label, createPublicKey(privateKey)) };
    this.loaded.set(label, key);
    return key;
  }
}

function aadFor(label: string, type: KeyType): Buffer {
  return Buffer.from(`msec-keystore-key-v1\0${label}\0${type}`);
}

async function deriveKey(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return scrypt(passphrase, salt, 32, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r + 1024 * 1024,
  });
}
