import { createPublicKey, type KeyObject } from 'node:crypto';
import { MsecError } from '../../core/errors.ts';
import type { LedgerEntry } from '../../ledger/index.ts';
import { decryptRecord, encryptRecord, generateDataKey, newRecordId, unwrapDataKey, wrapDataKey } from './crypto.ts';
import type { PublicJwk, RecordView } from './envelope.ts';
import type { VaultKeyPair } from './owner-key.ts';
import { verifyRecordInLog, type LedgerBundleJson } from './verify.ts';

export interface VaultClientOptions {
  /** Base URL of the platform, e.g. https://hub.example:8080 */
  baseUrl: string;
  /** Bearer token or API key of the caller. */
  token: string;
  /** The log's checkpoint key (PEM). Without it the client fetches /ledger/public-key once (trust on first use). */
  logPublicKeyPem?: string;
  fetch?: typeof fetch;
}

export type ReadResponse = RecordView<LedgerBundleJson>;

export interface Decrypted {
  id: string;
  version: number;
  ownerId: string;
  plaintext: Uint8Array;
  /** The verified log entry of this version's ciphertext hash. */
  entry: LedgerEntry;
  treeSize: number;
}

/**
 * The vault seen from the user's side over HTTP: encryption, key wrapping, unwrapping and proof
 * checks happen here; the server only ever receives ciphertext, wrapped keys and public keys.
 */
export class VaultClient {
  private logKey: KeyObject | undefined;
  private myId: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: VaultClientOptions) {
    this.fetchFn = opts.fetch ?? fetch;
    if (opts.logPublicKeyPem) this.logKey = createPublicKey(opts.logPublicKeyPem);
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.opts.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(new URL(`/api/v1${path}`, this.opts.baseUrl), {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new MsecError('UNAVAILABLE', `cannot reach ${this.opts.baseUrl}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new MsecError('VAULT_SERVER_BAD_RESPONSE', `the server answered HTTP ${res.status} with non-JSON`, {
        status: 502,
      });
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)
        ?.error;
      throw new MsecError(e?.code ?? 'INTERNAL', e?.message ?? `HTTP ${res.status}`, {
        status: res.status,
        ...(e?.details ? { details: e.details } : {}),
      });
    }
    return json as T;
  }

  async me(): Promise<string> {
    this.myId ??= (await this.call<{ principal: { id: string } }>('GET', '/me')).principal.id;
    return this.myId;
  }

  async logPublicKey(): Promise<KeyObject> {
    this.logKey ??= createPublicKey(
      (await this.call<{ publicKeyPem: string }>('GET', '/ledger/public-key')).publicKeyPem,
    );
    return this.logKey;
  }

  registerKey(pair: Pick<VaultKeyPair, 'publicJwk'>): Promise<{ principalId: string; kid: string }> {
    return this.call('PUT', '/vault/keys/me', { publicKey: pair.publicJwk });
  }

  publicKeyOf(principalId: string): Promise<{ principalId: string; kid: string; publicKey: PublicJwk }> {
    return this.call('GET', `/vault/keys/${encodeURIComponent(principalId)}`);
  }

  /**
   * Encrypts and stores: a new record (no id) or the next version of one, always under a fresh
   * data key wrapped for the owner and the readers who currently hold a grant (not revoked ones).
   */
  async put(
    data: Uint8Array,
    me: VaultKeyPair,
    recordId?: string,
  ): Promise<{ id: string; version: number; hash: string; ledgerIndex: number }> {
    const ownerId = await this.me();
    let id = recordId;
    let version = 1;
    let readers: { principalId: string; publicKey: PublicJwk }[] = [];
    if (id) {
      const sharing = await this.call<{
        latestVersion: number;
        readers: { principalId: string; publicKey: PublicJwk }[];
      }>('GET', `/vault/records/${encodeURIComponent(id)}/grants`);
      version = sharing.latestVersion + 1;
      readers = sharing.readers;
    }
    id ??= newRecordId();
    const dataKey = await generateDataKey();
    const record = await encryptRecord(data, dataKey, { recordId: id, version, ownerId });
    const keys = [
      { principalId: ownerId, wrapped: await wrapDataKey(dataKey, me.publicJwk, { recordId: id, version }) },
    ];
    for (const r of readers)
      keys.push({
        principalId: r.principalId,
        wrapped: await wrapDataKey(dataKey, r.publicKey, { recordId: id, version }),
      });
    return this.call('PUT', `/vault/records/${encodeURIComponent(id)}`, { version, record, keys });
  }

  fetchRecord(recordId: string, version?: number): Promise<ReadResponse> {
    return this.call('GET', `/vault/records/${encodeURIComponent(recordId)}${version ? `?version=${version}` : ''}`);
  }

  /** Fetches, checks the ledger proof of the ciphertext hash, unwraps the data key and checks the GCM tag. */
  async get(recordId: string, me: VaultKeyPair, version?: number): Promise<Decrypted> {
    return this.open(await this.fetchRecord(recordId, version), me);
  }

  async open(res: ReadResponse, me: VaultKeyPair): Promise<Decrypted> {
    const { entry, checkpoint } = await verifyRecordInLog(res.record.ciphertext, res.ledger, await this.logPublicKey());
    const ctx = { recordId: res.id, version: res.version };
    const dataKey = await unwrapDataKey(res.wrappedKey, me.privateKey, ctx);
    const plaintext = await decryptRecord(res.record, dataKey, { ...ctx, ownerId: res.ownerId });
    return { id: res.id, version: res.version, ownerId: res.ownerId, plaintext, entry, treeSize: checkpoint.size };
  }

  requestAccess(recordId: string, reason?: string): Promise<{ id: string; status: string }> {
    return this.call('POST', `/vault/records/${encodeURIComponent(recordId)}/requests`, reason ? { reason } : {});
  }

  async requests(
    as: 'owner' | 'requester' = 'owner',
    status?: string,
  ): Promise<{ id: string; recordId: string; requesterId: string; status: string; reason: string | null }[]> {
    const q = new URLSearchParams({ as, ...(status ? { status } : {}) });
    return (
      await this.call<{
        items: { id: string; recordId: string; requesterId: string; status: string; reason: string | null }[];
      }>('GET', `/vault/requests?${q}`)
    ).items;
  }

  /**
   * Approves a reader on the owner's side: downloads the owner's wrapped key of the latest version,
   * unwraps it locally and uploads it re-wrapped for the reader's registered public key.
   */
  async grant(recordId: string, readerId: string, me: VaultKeyPair): Promise<{ versions: number[] }> {
    const reader = await this.publicKeyOf(readerId);
    const res = await this.fetchRecord(recordId);
    await verifyRecordInLog(res.record.ciphertext, res.ledger, await this.logPublicKey());
    const ctx = { recordId: res.id, version: res.version };
    const dataKey = await unwrapDataKey(res.wrappedKey, me.privateKey, ctx);
    const wrapped = await wrapDataKey(dataKey, reader.publicKey, ctx);
    return this.call('PUT', `/vault/records/${encodeURIComponent(recordId)}/grants/${encodeURIComponent(readerId)}`, {
      keys: [{ version: res.version, wrapped }],
    });
  }

  revoke(recordId: string, readerId: string): Promise<{ destroyedKeys: number }> {
    return this.call('DELETE', `/vault/records/${encodeURIComponent(recordId)}/grants/${encodeURIComponent(readerId)}`);
  }

  erase(
    recordId: string,
  ): Promise<{ id: string; erasedAt: number; versions: { version: number; hash: string; ledgerIndex: number }[] }> {
    return this.call('POST', `/vault/records/${encodeURIComponent(recordId)}/erase`);
  }

  proof(
    recordId: string,
    version?: number,
  ): Promise<{ id: string; version: number; hash: string; erased: boolean; ledger: LedgerBundleJson }> {
    return this.call(
      'GET',
      `/vault/records/${encodeURIComponent(recordId)}/proof${version ? `?version=${version}` : ''}`,
    );
  }
}
