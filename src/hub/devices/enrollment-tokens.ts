/**
 * One-time enrollment tokens and enrollment sessions. Tokens are random secrets stored only as
 * SHA-256 hashes; a use is consumed by compare-and-set, so a token allowing N uses enrolls at
 * most N devices even when finishes race.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { MsecError, newId, newSecret, type Clock, type Store } from '../../core/index.ts';
import type { DeviceTables } from './schema.ts';

export const TOKEN_PREFIX = 'msec_enr_';
const TOKEN_SHAPE = /^msec_enr_[A-Za-z0-9_-]{43}$/;

export interface EnrollmentTokenInfo {
  id: string;
  org: string;
  expiresAt: number;
  maxUses: number;
}

export interface EnrollmentSession {
  id: string;
  tokenHash: string;
  nonce: string;
  expiresAt: number;
  pending: unknown;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function tokenError(): MsecError {
  // One code for unknown, expired and used up: the caller learns nothing about which tokens exist.
  return new MsecError('ENROLLMENT_TOKEN_INVALID', 'enrollment token is invalid, expired or used up', { status: 401 });
}

export class EnrollmentTokens {
  private readonly db: Kysely<DeviceTables>;

  constructor(
    store: Store,
    private readonly clock: Clock,
  ) {
    this.db = store.db.withTables<DeviceTables>();
  }

  async create(input: {
    org: string;
    ttlSeconds: number;
    maxUses: number;
    createdBy?: string | undefined;
  }): Promise<{ token: string; info: EnrollmentTokenInfo }> {
    const token = TOKEN_PREFIX + newSecret(32);
    const now = this.clock.now();
    const info: EnrollmentTokenInfo = {
      id: newId('enr'),
      org: input.org,
      expiresAt: now + input.ttlSeconds * 1000,
      maxUses: input.maxUses,
    };
    await this.db
      .insertInto('hub_enrollment_tokens')
      .values({
        token_hash: hashToken(token),
        id: info.id,
        org_id: info.org,
        created_by: input.createdBy ?? null,
        created_at: now,
        expires_at: info.expiresAt,
        max_uses: info.maxUses,
        uses: 0,
      })
      .execute();
    return { token, info };
  }

  /** The token's organisation if it can still be used; ENROLLMENT_TOKEN_INVALID otherwise. */
  async check(token: string): Promise<{ hash: string; org: string }> {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) throw tokenError();
    return this.checkHash(hashToken(token));
  }

  async checkHash(hash: string): Promise<{ hash: string; org: string }> {
    const row = await this.db
      .selectFrom('hub_enrollment_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    if (!row || Number(row.expires_at) <= this.clock.now() || row.uses >= row.max_uses) throw tokenError();
    return { hash, org: row.org_id };
  }

  /** Consumes one use; fails if another enrollment used the last one meanwhile. */
  async consume(hash: string): Promise<void> {
    const res = await this.db
      .updateTable('hub_enrollment_tokens')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('token_hash', '=', hash)
      .where('uses', '<', (eb) => eb.ref('max_uses'))
      .where('expires_at', '>', this.clock.now())
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw tokenError();
  }

  async startSession(tokenHash: string, nonce: string, ttlMs: number): Promise<EnrollmentSession> {
    const now = this.clock.now();
    const session = { id: newId('es'), tokenHash, nonce, expiresAt: now + ttlMs, pending: null };
    await this.db
      .insertInto('hub_enrollment_sessions')
      .values({
        id: session.id,
        token_hash: tokenHash,
        nonce,
        created_at: now,
        expires_at: session.expiresAt,
        pending: null,
      })
      .execute();
    // Sweep expired sessions opportunistically; they hold nothing secret beyond a nonce.
    await this.db.deleteFrom('hub_enrollment_sessions').where('expires_at', '<', now).execute();
    return session;
  }

  async session(id: string): Promise<EnrollmentSession> {
    const row =
      typeof id === 'string' && id.length <= 64
        ? await this.db.selectFrom('hub_enrollment_sessions').selectAll().where('id', '=', id).executeTakeFirst()
        : undefined;
    if (!row || Number(row.expires_at) <= this.clock.now()) {
      throw new MsecError('ENROLLMENT_SESSION_INVALID', 'enrollment session is unknown or expired; start again', {
        status: 400,
      });
    }
    let pending: unknown = null;
    if (row.pending) pending = JSON.parse(row.pending) as unknown;
    return { id: row.id, tokenHash: row.token_hash, nonce: row.nonce, expiresAt: Number(row.expires_at), pending };
  }

  async setPending(id: string, pending: unknown): Promise<void> {
    await this.db
      .updateTable('hub_enrollment_sessions')
      .set({ pending: JSON.stringify(pending) })
      .where('id', '=', id)
      .execute();
  }

  /** Ends a session; false if it was already ended (a concurrent finish). */
  async endSession(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('hub_enrollment_sessions').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }
}
