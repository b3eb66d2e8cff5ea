import type { Kysely } from 'kysely';
import type { Clock, Store } from '../core/index.ts';
import type { IamTables } from './schema.ts';

/**
 * Revoked access tokens (by jti) and subjects whose earlier tokens are void (by principal id),
 * kept in memory for the hot path and in the store so they survive restarts.
 */
export class RevocationList {
  private readonly db: Kysely<IamTables>;
  private readonly jtis = new Map<string, number>();
  private readonly subjects = new Map<string, number>();

  constructor(store: Store, private readonly clock: Clock) {
    this.db = store.db.withTables<IamTables>();
  }

  async load(): Promise<void> {
    const now = this.clock.now();
    const rows = await this.db.selectFrom('iam_token_revocations').selectAll().where('expires_at', '>', now).execute();
    for (const r of rows) (r.kind === 'jti' ? this.jtis : this.subjects).set(r.value, r.kind === 'jti' ? r.expires_at : r.revoked_at);
    await this.db.deleteFrom('iam_token_revocations').where('expires_at', '<=', now).execute();
  }

  async revokeToken(jti: string, expiresAt: number): Promise<void> {
    this.jtis.set(jti, expiresAt);
    await this.upsert('jti', jti, expiresAt);
  }

  /** Voids every access token of `principalId` issued up to now (disable, lock, password change). */
  async revokeSubject(principalId: string, maxTokenLifetimeMs: number): Promise<void> {
    const now = this.clock.now();
    this.subjects.set(principalId, now);
    await this.upsert('sub', principalId, now + maxTokenLifetimeMs);
  }

  isRevoked(jti: string | undefined, principalId: string, issuedAtMs: number): boolean {
    if (jti && this.jtis.has(jti)) return true;
    const since = this.subjects.get(principalId);
    return since !== undefined && issuedAtMs <= since;
  }

  private async upsert(kind: 'jti' | 'sub', value: string, expiresAt: number): Promise<void> {
    const now = this.clock.now();
    await this.db
      .insertInto('iam_token_revocations')
      .values({ kind, value, revoked_at: now, expires_at: expiresAt })
      .onConflict((oc) => oc.columns(['kind', 'value']).doUpdateSet({ revoked_at: now, expires_at: expiresAt }))
      .execute();
  }
}
