/**
 * TPM 2.0 back end of the device key store. Keys are created inside the TPM under the storage root
 * key and kept at persistent handles, so they survive reboots and never exist outside the TPM.
 * `tpm-keys.json` (0600) in the state directory maps labels to handles and to each key's TPM Name,
 * so a handle that now holds another key (TPM cleared, re-provisioned) is never used by mistake.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { MsecError } from '../../core/errors.ts';
import { ensurePrivateDir, readTextIfExists, writePrivateFile } from '../../core/files.ts';
import {
  HmacSession,
  TpmClient,
  activateCredential,
  attestationKeyTemplate,
  createPersistentKey,
  ecdhKeyTemplate,
  ecdhZGen,
  eccPointToJwk,
  eccPointToKeyObject,
  ensureEk,
  ensureSrk,
  evictControl,
  fixedWidth,
  keyObjectToEccPoint,
  openTransport,
  pcrExtend,
  pcrRead,
  quote,
  readPersistent,
  sign,
  signatureToP1363,
  signingKeyTemplate,
  startup,
  type EccPublicArea,
  type KeyAuthorization,
  type LoadedObject,
  type Quote,
  type TpmConnectOptions,
  type TpmTransport,
} from '../tpm/index.ts';
import { badLabel, isKeyLabel, keystoreError, type DeviceKeyStore, type PublicKeyInfo } from './keystore.ts';

type KeyType = 'signing' | 'ecdh' | 'attestation';

interface KeyEntry {
  handle: number;
  type: KeyType;
  /** Hex TPM Name of the key, checked against the TPM before first use. */
  name: string;
}

/** A TPM key's public half plus its TPM Name (what credential activation binds to). */
export interface TpmPublicKeyInfo extends PublicKeyInfo {
  name: Buffer;
  handle: number;
}

export interface TpmKeyStoreOptions {
  /** Directory for tpm-keys.json (created 0700). */
  stateDir: string;
  /** Where the TPM is: swtpm socket, /dev/tpmrm0, or an already open transport. */
  tpm: TpmConnectOptions | TpmTransport;
}

const FIRST_KEY_HANDLE = 0x81000100;
const LAST_KEY_HANDLE = 0x810001ff;
const KEY_TYPES: readonly KeyType[] = ['signing', 'ecdh', 'attestation'];

/** TPM_RC_REFERENCE_S0..S6: the session handle names no loaded session. */
const SESSION_NOT_LOADED = { first: 0x918, last: 0x91e };

function isSessionGone(err: unknown): boolean {
  const rc = (err as { details?: { rc?: unknown } } | null)?.details?.rc;
  return typeof rc === 'number' && rc >= SESSION_NOT_LOADED.first && rc <= SESSION_NOT_LOADED.last;
}

/**
 * The SRK salts the key store's HMAC session, so it must be the TPM's own: its Name is pinned on
 * first use. Another SRK under existing keys means the TPM was cleared or replaced, or something
 * between us and the TPM answers for it; with no keys yet, the new SRK is simply pinned.
 * Returns whether the map file must record the SRK (first use, or a re-pin).
 */
function checkSrk(state: StoreState, srk: LoadedObject): boolean {
  const name = srk.name.toString('hex');
  if (state.srk === name) return false;
  if (state.srk === undefined || state.entries.size === 0) return true;
  throw new MsecError(
    'TPM_SRK_CHANGED',
    'the TPM storage root key is not the one this key store was provisioned with (TPM cleared or replaced?); its keys are unusable: re-provision with a new state directory',
    { status: 503 },
  );
}

function toInfo(label: string, key: LoadedObject): TpmPublicKeyInfo {
  const jwk = eccPointToJwk(key.publicArea);
  return { label, publicKey: eccPointToKeyObject(key.publicArea), jwk, name: key.name, handle: key.handle };
}

interface StoreState {
  entries: Map<string, KeyEntry>;
  /** Hex TPM Name of the storage root key first seen (trust on first use), if recorded. */
  srk: string | undefined;
}

function parseState(text: string | undefined): StoreState {
  const entries = new Map<string, KeyEntry>();
  if (text === undefined) return { entries, srk: undefined };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw keystoreError('KEYSTORE_CORRUPT', 'tpm-keys.json is not valid JSON', 500);
  }
  const keys = (doc as { version?: unknown; keys?: unknown } | null)?.keys;
  if ((doc as { version?: unknown } | null)?.version !== 1 || typeof keys !== 'object' || keys === null) {
    throw keystoreError('KEYSTORE_CORRUPT', 'tpm-keys.json has an unknown format', 500);
  }
  for (const [label, raw] of Object.entries(keys)) {
    const e = raw as Partial<KeyEntry> | null;
    const valid =
      isKeyLabel(label) &&
      typeof e?.handle === 'number' &&
      e.handle >= FIRST_KEY_HANDLE &&
      e.handle <= LAST_KEY_HANDLE &&
      KEY_TYPES.includes(e.type as KeyType) &&
      typeof e.name === 'string' &&
      /^[0-9a-f]{68}$/.test(e.name);
    if (!valid) throw keystoreError('KEYSTORE_CORRUPT', `tpm-keys.json has an invalid entry for ${label}`, 500);
    entries.set(label, { handle: e.handle as number, type: e.type as KeyType, name: e.name as string });
  }
  const srk = (doc as { srk?: unknown }).srk;
  if (srk !== undefined && (typeof srk !== 'string' || !/^[0-9a-f]{68}$/.test(srk))) {
    throw keystoreError('KEYSTORE_CORRUPT', 'tpm-keys.json has an invalid srk name', 500);
  }
  return { entries, srk };
}

export class TpmKeyStore implements DeviceKeyStore {
  readonly kind = 'tpm' as const;
  private readonly verified = new Map<string, TpmPublicKeyInfo>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Salted HMAC session for key use (see HmacSession); opened on first use, replaced when it breaks. */
  private session: HmacSession | undefined;

  private constructor(
    private readonly tpm: TpmClient,
    private readonly mapPath: string,
    private readonly entries: Map<string, KeyEntry>,
    private readonly srk: LoadedObject,
  ) {}

  /** Connects to the TPM (TPM_UNAVAILABLE if absent), starts it up and provisions the SRK. */
  static async open(options: TpmKeyStoreOptions): Promise<TpmKeyStore> {
    ensurePrivateDir(options.stateDir);
    const mapPath = join(options.stateDir, 'tpm-keys.json');
    const state = parseState(readTextIfExists(mapPath));
    const transport = 'transmit' in options.tpm ? options.tpm : await openTransport(options.tpm);
    const tpm = new TpmClient(transport);
    let srk: LoadedObject;
    let pin: boolean;
    try {
      await startup(tpm);
      srk = await ensureSrk(tpm);
      pin = checkSrk(state, srk);
    } catch (err) {
      await tpm.close().catch(() => undefined);
      throw err;
    }
    const store = new TpmKeyStore(tpm, mapPath, state.entries, srk);
    if (pin) store.save();
    return store;
  }

  ensureSigningKey(label: string): Promise<PublicKeyInfo> {
    return this.exclusive(label, () => this.ensure(label, 'signing', signingKeyTemplate()));
  }

  ensureEcdhKey(label: string): Promise<PublicKeyInfo> {
    return this.exclusive(label, () => this.ensure(label, 'ecdh', ecdhKeyTemplate()));
  }

  /** Restricted ECDSA key for TPM2_Quote; its Name is what the hub binds a credential to. */
  ensureAttestationKey(label: string): Promise<TpmPublicKeyInfo> {
    return this.exclusive(label, () => this.ensure(label, 'attestation', attestationKeyTemplate()));
  }

  sign(label: string, data: Uint8Array): Promise<Uint8Array> {
    return this.exclusive(label, async () => {
      const key = await this.require(label, 'signing');
      const digest = createHash('sha256').update(data).digest();
      const signature = signatureToP1363(
        await this.underSession(key, (auth) => sign(this.tpm, key.handle, digest, auth)),
      );
      if (!signature)
        throw new MsecError('TPM_MALFORMED_RESPONSE', 'TPM signature is not a P-256 signature', { status: 502 });
      return new Uint8Array(signature);
    });
  }

  deriveSharedSecret(label: string, peerPublicKey: KeyObject): Promise<Uint8Array> {
    return this.exclusive(label, async () => {
      const key = await this.require(label, 'ecdh');
      let peer;
      try {
        peer = keyObjectToEccPoint(peerPublicKey.type === 'public' ? peerPublicKey : createPublicKey(peerPublicKey));
      } catch {
        throw keystoreError('KEYSTORE_BAD_PEER_KEY', 'peer key must be an EC P-256 public key');
      }
      const z = fixedWidth((await this.underSession(key, (auth) => ecdhZGen(this.tpm, key.handle, peer, auth))).x, 32);
      if (!z) throw new MsecError('TPM_MALFORMED_RESPONSE', 'TPM returned a shared point off P-256', { status: 502 });
      return new Uint8Array(z);
    });
  }

  getPublicKey(label: string): Promise<PublicKeyInfo | undefined> {
    return this.exclusive(label, () => this.resolve(label));
  }

  deleteKey(label: string): Promise<void> {
    return this.exclusive(label, async () => {
      const key = await this.resolve(label);
      if (key) await evictControl(this.tpm, key.handle, key.handle);
      this.entries.delete(label);
      this.verified.delete(label);
      this.save();
    });
  }

  /** TPM2_Quote with the attestation key `label` over SHA-256 PCRs, qualified by the verifier's nonce. */
  quote(label: string, nonce: Uint8Array, pcrIndices: readonly number[]): Promise<Quote> {
    return this.exclusive(label, async () =>
      quote(this.tpm, (await this.require(label, 'attestation')).handle, nonce, pcrIndices),
    );
  }

  /**
   * Recovers a credential the hub made (makeCredential) for this TPM's EK and the key `label`: an
   * attestation key, or a signing key (so the hub can bind the reading key itself to this TPM).
   */
  activateCredential(label: string, credentialBlob: Uint8Array, secret: Uint8Array): Promise<Buffer> {
    return this.exclusive(label, async () => {
      const key = await this.require(label, this.entries.get(label)?.type === 'signing' ? 'signing' : 'attestation');
      const ek = await ensureEk(this.tpm);
      return activateCredential(this.tpm, key.handle, ek.handle, credentialBlob, secret);
    });
  }

  /** The endorsement key's public half (ECC P-256, standard template), the TPM's identity. */
  endorsementKey(): Promise<Omit<TpmPublicKeyInfo, 'label'>> {
    return this.exclusive('ek', async () => {
      const { label: _label, ...info } = toInfo('ek', await ensureEk(this.tpm));
      return info;
    });
  }

  extendPcr(index: number, digest: Uint8Array): Promise<void> {
    return this.exclusive('pcr', () => pcrExtend(this.tpm, index, digest));
  }

  readPcrs(indices: readonly number[]): Promise<Map<number, Buffer>> {
    return this.exclusive('pcr', () => pcrRead(this.tpm, indices));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.session?.close();
    await this.tpm.close();
  }

  /**
   * Runs a key operation authorised by the store's salted HMAC session, so its secrets cross the
   * bus encrypted and its parameters cannot be altered unseen. A session the TPM no longer knows
   * (flushed by other software, context limits) is replaced and the operation tried once more; a
   * session whose response failed its check is replaced too, but that error stands.
   */
  private async underSession<T>(key: TpmPublicKeyInfo, op: (auth: KeyAuthorization) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const session = (this.session ??= await HmacSession.startSalted(this.tpm, {
        handle: this.srk.handle,
        point: this.srk.publicArea,
      }));
      try {
        return await op({ session, keyName: key.name });
      } catch (err) {
        const gone = isSessionGone(err);
        if (gone || session.broken) {
          this.session = undefined;
          await session.close();
          if (gone && attempt === 0) continue;
        }
        throw err;
      }
    }
  }

  /** One TPM conversation at a time: transient object slots are few and the map file is shared. */
  private exclusive<T>(label: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(keystoreError('KEYSTORE_CLOSED', 'the key store is closed', 500));
    if (!isKeyLabel(label)) {
      return Promise.reject(badLabel());
    }
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The key under `label` if the TPM still holds exactly the key we created. */
  private async resolve(label: string): Promise<TpmPublicKeyInfo | undefined> {
    const cached = this.verified.get(label);
    if (cached) return cached;
    const entry = this.entries.get(label);
    if (!entry) return undefined;
    const key = await readPersistent(this.tpm, entry.handle);
    if (!key || key.name.toString('hex') !== entry.name) return undefined;
    const info = toInfo(label, key);
    this.verified.set(label, info);
    return info;
  }

  private async require(label: string, type: KeyType): Promise<TpmPublicKeyInfo> {
    const key = await this.resolve(label);
    if (!key) throw keystoreError('KEYSTORE_KEY_NOT_FOUND', `no key with label ${label}`, 404);
    const entryType = this.entries.get(label)?.type;
    if (entryType !== type)
      throw keystoreError('KEYSTORE_WRONG_KEY_TYPE', `key ${label} is a ${entryType} key, not ${type}`);
    return key;
  }

  private async ensure(label: string, type: KeyType, template: EccPublicArea): Promise<TpmPublicKeyInfo> {
    const existing = await this.resolve(label);
    if (existing) {
      const entryType = this.entries.get(label)?.type;
      if (entryType !== type)
        throw keystoreError('KEYSTORE_WRONG_KEY_TYPE', `key ${label} is a ${entryType} key, not ${type}`);
      return existing;
    }
    const srk = await ensureSrk(this.tpm);
    const handle = await this.freeHandle();
    const key = await createPersistentKey(this.tpm, srk.handle, template, handle);
    this.entries.set(label, { handle, type, name: key.name.toString('hex') });
    this.save();
    const info = toInfo(label, key);
    this.verified.set(label, info);
    return info;
  }

  /** First handle in our range that neither the map nor the TPM uses (other software may share the TPM). */
  private async freeHandle(): Promise<number> {
    const mapped = new Set([...this.entries.values()].map((e) => e.handle));
    for (let handle = FIRST_KEY_HANDLE; handle <= LAST_KEY_HANDLE; handle++) {
      if (mapped.has(handle)) continue;
      if (!(await readPersistent(this.tpm, handle))) return handle;
    }
    throw keystoreError('KEYSTORE_FULL', 'no free persistent TPM handle for another key', 507);
  }

  private save(): void {
    const keys = Object.fromEntries(this.entries);
    writePrivateFile(
      this.mapPath,
      `${JSON.stringify({ version: 1, srk: this.srk.name.toString('hex'), keys }, null, 2)}\n`,
    );
  }
}
