import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { MsecError, newId, newSecret, type Clock, type Store } from '../core/index.ts';
import type { Principal } from './principals.ts';
import type { RevocationList } from './revocations.ts';
import type { Subject } from './subject.ts';
import type { IamTables } from './schema.ts';

export interface ApiKeyInfo {
  id: string;
  principalId: string;
  name: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

const KEY_FORMAT = /^msec_(k_[A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function looksLikeApiKey(s: string): boolean {
  return s.startsWith('msec_');
}

/**
 * API keys for services: `msec_<id>.<secret>`. Only a SHA-256 of the 256-bit secret is stored
 * (a slow KDF adds nothing for random secrets); the key is shown once at creation.
 */
export class ApiKeyService {
  private readonly db: Kysely<IamTables>;
  private lastUsedWrites = new Map<string, number>();
  /**
   * Verified keys for a short while: a store round trip per request would dominate. Revoking a
   * key, or any change to its principal, takes effect at once in every process (the revocation
   * list travels on the bus).
   */
  private readonly cache = new Map<string, { subject: Subject; until: number; cachedAt: number }>();
  private static readonly CACHE_MS = 30_000;

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly revocations?: RevocationList,
  ) {
    this.db = store.db.withTables<IamTables>();
  }

  async create(principalId: string, name: string, ttlSeconds?: number): Promise<{ key: string; info: ApiKeyInfo }> {
    if (!/^[\w .:-]{1,64}$/.test(name))
      throw new MsecError('VALIDATION_FAILED', 'key name must be 1-64 letters, digits, spaces or _.:-');
    const id = newId('k');
    const secret = newSecret(32);
    const now = this.clock.now();
    const info: ApiKeyInfo = {
      id,
      principalId,
      name,
      createdAt: now,
      expiresAt: ttlSeconds ? now + ttlSeconds * 1000 : null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.db
      .insertInto('iam_api_keys')
      .values({
        id,
        principal_id: principalId,
        name,
        secret_hash: hashSecret(secret).toString('hex'),
        created_at: now,
        expires_at: info.expiresAt,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
    return { key: `msec_${id}.${secret}`, info };
  }

  async list(principalId?: string): Promise<ApiKeyInfo[]> {
    let q = this.db.selectFrom('iam_api_keys').selectAll();
    if (principalId) q = q.where('principal_id', '=', principalId);
    const rows = await q.orderBy('created_at').execute();
    return rows.map((r) => ({
      id: r.id,
      principalId: r.principal_id,
      name: r.name,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      lastUsedAt: r.last_used_at,
    }));
  }

  async get(id: string): Promise<ApiKeyInfo | undefined> {
    return (await this.list()).find((k) => k.id === id);
  }

  async revoke(id: string): Promise<void> {
    for (const [k, v] of this.cache) if (v.subject.apiKeyId === id) this.cache.delete(k);
    const res = await this.db
      .updateTable('iam_api_keys')
      .set({ revoked_at: this.clock.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0)
      throw new MsecError('NOT_FOUND', `api key ${id} not found or already revoked`);
    // Other processes drop their cached copy, and live sessions on the key end, at once.
    await this.revocations?.revokeToken(id, this.clock.now() + 2 * ApiKeyService.CACHE_MS);
  }

  async authenticate(
    presented: string,
    loadPrincipal: (id: string) => Promise<Principal | undefined>,
  ): Promise<Subject> {
    const now0 = this.clock.now();
    const hit = this.cache.get(presented);
    if (hit && hit.until > now0 && !this.revocations?.isRevoked(hit.subject.apiKeyId, hit.subject.id, hit.cachedAt))
      return hit.subject;
    const m = KEY_FORMAT.exec(presented);
    if (!m) throw new MsecError('TOKEN_INVALID', 'api key is malformed');
    const row = await this.db.selectFrom('iam_api_keys').selectAll().where('id', '=', m[1]!).executeTakeFirst();
    const given = hashSecret(m[2]!);
    const stored = row ? Buffer.from(row.secret_hash, 'hex') : Buffer.alloc(32);
    const match = timingSafeEqual(given, stored.length === 32 ? stored : Buffer.alloc(32));
    if (!row || !match) throw new MsecError('TOKEN_INVALID', 'api key is invalid');
    const now = this.clock.now();
    if (row.revoked_at !== null) throw new MsecError('TOKEN_REVOKED', 'api key has been revoked');
    if (row.expires_at !== null && row.expires_at <= now) throw new MsecError('TOKEN_EXPIRED', 'api key has expired');
    const principal = await loadPrincipal(row.principal_id);
    if (!principal || principal.disabled) throw new MsecError('ACCOUNT_DISABLED', 'account is disabled');
    // Record use at most once a minute per key: a write per request would dominate.
    if ((this.lastUsedWrites.get(row.id) ?? 0) < now - 60_000) {
      this.lastUsedWrites.set(row.id, now);
      await this.db.updateTable('iam_api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
    }
    const subject: Subject = {
      id: principal.id,
      name: principal.name,
      kind: principal.kind,
      org: principal.orgId,
      roles: principal.roles,
      via: 'api-key',
      apiKeyId: row.id,
    };
    const until = Math.min(now + ApiKeyService.CACHE_MS, row.expires_at ?? Infinity);
    if (this.cache.size >= 10_000) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(presented, { subject, until, cachedAt: now });
    return subject;
  }
}
