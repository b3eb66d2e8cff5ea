import type { Kysely } from 'kysely';
import type { Clock, EventBus, Store } from '../core/index.ts';
import type { IamTables } from './schema.ts';

/** Bus subject on which every process learns of a revocation made by any of them. */
export const REVOCATION_SUBJECT = 'iam.credential.revoked';

/** `jti`: one access token; `sub`: every credential of a principal issued up to `revokedAt`. */
export type RevocationKind = 'jti' | 'sub';

export interface RevocationEvent {
  kind: RevocationKind;
  value: string;
  revokedAt: number;
  expiresAt: number;
}

function isRevocationEvent(x: unknown): x is RevocationEvent {
  const e = x as RevocationEvent;
  return (
    typeof e === 'object' &&
    e !== null &&
    (e.kind === 'jti' || e.kind === 'sub') &&
    typeof e.value === 'string' &&
    typeof e.revokedAt === 'number' &&
    typeof e.expiresAt === 'number'
  );
}

/**
 * Revoked access tokens (by jti) and subjects whose earlier credentials are void (by principal
 * id), kept in memory for the hot path, in the store so they survive restarts, and on the bus so
 * every process of a scaled-out deployment applies them at once (and ends live sessions).
 */
export class RevocationList {
  private readonly db: Kysely<IamTables>;
  private readonly jtis = new Map<string, number>();
  private readonly subjects = new Map<string, number>();
  private readonly listeners = new Set<(e: RevocationEvent) => void>();
  private bus: EventBus | undefined;
  private offBus: (() => void) | undefined;

  constructor(
    store: Store,
    private readonly clock: Clock,
  ) {
    this.db = store.db.withTables<IamTables>();
  }

  async load(): Promise<void> {
    const now = this.clock.now();
    const rows = await this.db.selectFrom('iam_token_revocations').selectAll().where('expires_at', '>', now).execute();
    for (const r of rows)
      this.apply({
        kind: r.kind as RevocationKind,
        value: r.value,
        revokedAt: Number(r.revoked_at),
        expiresAt: Number(r.expires_at),
      });
    await this.db.deleteFrom('iam_token_revocations').where('expires_at', '<=', now).execute();
  }

  /** Publishes local revocations on `bus` and applies those of other processes. */
  connect(bus: EventBus): void {
    this.bus = bus;
    this.offBus = bus.subscribe(REVOCATION_SUBJECT, (ev) => {
      if (isRevocationEvent(ev.data)) this.apply(ev.data);
    });
  }

  disconnect(): void {
    this.offBus?.();
    this.offBus = undefined;
    this.bus = undefined;
  }

  /** Called after every revocation applied here, local or from the bus. */
  onRevoked(fn: (e: RevocationEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async revokeToken(jti: string, expiresAt: number): Promise<void> {
    await this.record({ kind: 'jti', value: jti, revokedAt: this.clock.now(), expiresAt });
  }

  /** Voids every credential of `principalId` issued up to now (role change, disable, lock, password change). */
  async revokeSubject(principalId: string, maxTokenLifetimeMs: number): Promise<void> {
    const now = this.clock.now();
    await this.record({ kind: 'sub', value: principalId, revokedAt: now, expiresAt: now + maxTokenLifetimeMs });
  }

  /** `issuedAtMs`: when the credential (or the session holding it) was issued or last verified. */
  isRevoked(jti: string | undefined, principalId: string, issuedAtMs: number): boolean {
    if (jti && this.jtis.has(jti)) return true;
    const since = this.subjects.get(principalId);
    return since !== undefined && issuedAtMs <= since;
  }

  private async record(e: RevocationEvent): Promise<void> {
    this.apply(e);
    await this.db
      .insertInto('iam_token_revocations')
      .values({ kind: e.kind, value: e.value, revoked_at: e.revokedAt, expires_at: e.expiresAt })
      .onConflict((oc) =>
        oc.columns(['kind', 'value']).doUpdateSet({ revoked_at: e.revokedAt, expires_at: e.expiresAt }),
      )
      .execute();
    // After the store: a process that restarts meanwhile still loads it.
    await this.bus?.publish(REVOCATION_SUBJECT, e);
  }

  private apply(e: RevocationEvent): void {
    if (e.kind === 'jti') this.jtis.set(e.value, e.expiresAt);
    else this.subjects.set(e.value, Math.max(this.subjects.get(e.value) ?? 0, e.revokedAt));
    for (const fn of this.listeners) fn(e);
  }
}
