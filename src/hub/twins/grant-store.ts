import type { Kysely } from 'kysely';
import { MsecError, newId, type Clock, type Store } from '../../core/index.ts';
import type { TwinTables } from './schema.ts';
import type { AccessLevel, Grant, GrantTerms } from './access.ts';

export type NewGrant = Omit<Grant, 'id' | 'createdAt'>;

type Row = TwinTables['hub_grants'];

function fromRow(r: Row): Grant {
  return {
    id: r.id,
    org: r.org,
    principalId: r.principal_id,
    role: r.role,
    granteeOrg: r.grantee_org,
    provider: r.provider,
    service: r.service,
    resource: r.resource,
    access: r.access as AccessLevel,
    effect: r.effect as 'allow' | 'deny',
    priority: r.priority,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at ?? null,
    terms: r.terms ? (JSON.parse(r.terms) as GrantTerms) : null,
  };
}

/**
 * Access rules in the store, mirrored in memory because the policy engine decides synchronously.
 * The mirror reloads after every change made here and periodically, so hubs sharing one
 * database converge.
 */
export class GrantStore {
  private cache: Grant[] = [];
  private signature = '';
  private changes = 0;
  /** Earliest expiry among the cached grants; the active set is recomputed when the clock passes it. */
  private nextExpiry = Infinity;
  private db: Kysely<TwinTables> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly clock: Clock) {}

  async start(store: Store, refreshMs = 5000): Promise<void> {
    this.db = store.db.withTables<TwinTables>();
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch(() => {}), refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Bumped whenever the rules change, including when a grant expires, so callers caching
   * decisions (the broker) know to drop them.
   */
  get version(): number {
    this.dropExpired();
    return this.changes;
  }

  /** The rules in force now (synchronous, for the policy engine): expired grants never apply. */
  all(): readonly Grant[] {
    this.dropExpired();
    return this.cache;
  }

  /** Deletes the stored grants that expired by `now` (the rows; they stopped applying already). */
  async removeExpired(now = this.clock.now()): Promise<number> {
    const res = await this.requireDb()
      .deleteFrom('hub_grants')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    await this.reload();
    return Number(res.numDeletedRows);
  }

  private dropExpired(): void {
    const now = this.clock.now();
    if (now < this.nextExpiry) return;
    this.setActive(this.cache, now);
    this.changes++;
  }

  private setActive(grants: Grant[], now: number): void {
    this.cache = grants.filter((g) => g.expiresAt == null || g.expiresAt > now);
    let next = Infinity;
    for (const g of this.cache) if (g.expiresAt != null && g.expiresAt < next) next = g.expiresAt;
    this.nextExpiry = next;
  }

  async reload(): Promise<void> {
    const rows = await this.requireDb().selectFrom('hub_grants').selectAll().orderBy('created_at').execute();
    // The periodic reload mostly finds the same rules: keep the version (and decision caches) then.
    const signature = JSON.stringify(rows);
    if (signature === this.signature) return;
    this.signature = signature;
    this.setActive(rows.map(fromRow), this.clock.now());
    this.changes++;
  }

  async list(org: string | undefined): Promise<Grant[]> {
    let q = this.requireDb().selectFrom('hub_grants').selectAll().orderBy('created_at');
    if (org !== undefined) q = q.where('org', '=', org);
    return (await q.execute()).map(fromRow);
  }

  async get(id: string): Promise<Grant | undefined> {
    const row = await this.requireDb().selectFrom('hub_grants').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async create(input: NewGrant): Promise<Grant> {
    const grant = await this.createIn(this.requireDb(), input);
    await this.reload();
    return grant;
  }

  /**
   * Inserts a grant inside the caller's transaction (the market settles a trade and grants access
   * atomically); the caller calls `reload()` once it committed.
   */
  async createIn<DB>(trx: Kysely<DB>, input: NewGrant): Promise<Grant> {
    if (input.principalId === null && input.role === null && input.granteeOrg === null) {
      throw new MsecError('VALIDATION_FAILED', 'a grant names a principal, a role or an organisation');
    }
    const grant: Grant = {
      ...input,
      expiresAt: input.expiresAt ?? null,
      terms: input.terms ?? null,
      id: newId('grant'),
      createdAt: this.clock.now(),
    };
    // The caller's transaction sees its own tables; view it with ours for this one insert.
    await (trx.withTables<TwinTables>() as unknown as Kysely<TwinTables>)
      .insertInto('hub_grants')
      .values({
        id: grant.id,
        org: grant.org,
        principal_id: grant.principalId,
        role: grant.role,
        grantee_org: grant.granteeOrg,
        provider: grant.provider,
        service: grant.service,
        resource: grant.resource,
        access: grant.access,
        effect: grant.effect,
        priority: grant.priority,
        created_by: grant.createdBy,
        created_at: grant.createdAt,
        expires_at: grant.expiresAt ?? null,
        terms: grant.terms ? JSON.stringify(grant.terms) : null,
      })
      .execute();
    return grant;
  }

  /**
   * Applies grants the caller committed with `createIn` without re-reading the whole table (the
   * market settles many trades a second); the periodic reload still reconciles.
   */
  adopt(grants: readonly Grant[]): void {
    if (grants.length === 0) return;
    this.setActive([...this.cache, ...grants], this.clock.now());
    this.changes++;
  }

  async remove(id: string): Promise<void> {
    await this.requireDb().deleteFrom('hub_grants').where('id', '=', id).execute();
    await this.reload();
  }

  private requireDb(): Kysely<TwinTables> {
    if (!this.db) throw new MsecError('UNAVAILABLE', 'grant store not started');
    return this.db;
  }
}
