import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { MsecError, newId, type Clock, type Store } from '../core/index.ts';
import { assertAmount } from './amounts.ts';
import { isCheckViolation, isUniqueViolation } from './db-errors.ts';
import type { MarketTables } from './schema.ts';

export type MarketDb = Kysely<MarketTables> | Transaction<MarketTables>;
export type AccountKind = 'wallet' | 'escrow' | 'issuer';

/** The issuer account: minting debits it, so its balance is minus the supply. */
export const ISSUER_ACCOUNT = 'issuer';
export const walletOf = (principalId: string): string => `wallet:${principalId}`;
export const escrowOf = (principalId: string): string => `escrow:${principalId}`;

export interface Owner {
  id: string;
  org: string;
}

export interface Entry {
  account: string;
  /** Signed minor units: positive credits the account, negative debits it. */
  amount: number;
}

export interface TransferInput {
  kind: 'mint' | 'escrow' | 'release' | 'settle' | 'refund' | 'transfer';
  actorId: string;
  memo?: string;
  /** Scoped by the caller (e.g. `${actor}:${key}`); a retry with the same key is answered from the first. */
  idemKey?: string;
  entries: Entry[];
}

export interface Transfer {
  id: string;
  kind: string;
  memo: string | null;
  createdAt: number;
  entries: Entry[];
  /** True when this call found an earlier transfer with the same idempotency key. */
  replayed: boolean;
}

export interface StatementLine {
  entryId: number;
  transferId: string;
  kind: string;
  memo: string | null;
  account: string;
  amount: number;
  createdAt: number;
}

/**
 * Double-entry wallets over the storage port. Each transfer is one set of entries that sum to
 * zero, posted with the balance updates in one transaction; the database's CHECK constraint
 * refuses any negative balance inside that same transaction (both SQLite and PostgreSQL), and
 * balance rows are updated in a fixed order so concurrent transfers cannot deadlock.
 */
export class Wallets {
  readonly db: Kysely<MarketTables>;

  constructor(
    store: Store,
    private readonly clock: Clock,
  ) {
    this.db = store.db.withTables<MarketTables>();
  }

  /** Opens (if absent) the wallet and escrow accounts of a principal. */
  async open(owner: Owner, db: MarketDb = this.db): Promise<void> {
    const now = this.clock.now();
    await db
      .insertInto('market_accounts')
      .values([
        { id: walletOf(owner.id), owner_id: owner.id, org: owner.org, kind: 'wallet', balance: 0, created_at: now },
        { id: escrowOf(owner.id), owner_id: owner.id, org: owner.org, kind: 'escrow', balance: 0, created_at: now },
      ])
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  private async openIssuer(db: MarketDb): Promise<void> {
    await db
      .insertInto('market_accounts')
      .values({
        id: ISSUER_ACCOUNT,
        owner_id: 'market',
        org: 'platform',
        kind: 'issuer',
        balance: 0,
        created_at: this.clock.now(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /** Mints `amount` into a principal's wallet (the route restricts this to the market operator). */
  async mint(to: Owner, amount: number, actorId: string, idemKey?: string): Promise<Transfer> {
    assertAmount(amount);
    try {
      return await this.once(idemKey, () =>
        this.db.transaction().execute(async (trx) => {
          await this.openIssuer(trx);
          await this.open(to, trx);
          return this.post(trx, {
            kind: 'mint',
            actorId,
            memo: `mint to ${to.id}`,
            ...(idemKey ? { idemKey } : {}),
            entries: [
              { account: ISSUER_ACCOUNT, amount: -amount },
              { account: walletOf(to.id), amount },
            ],
          });
        }),
      );
    } catch (err) {
      if (err instanceof MsecError && err.code === 'MARKET_INSUFFICIENT_FUNDS')
        throw new MsecError('MARKET_SUPPLY_EXCEEDED', 'minting this would take the supply past the exact range');
      throw err;
    }
  }

  /** Moves `amount` between two principals' wallets in one transaction. */
  async transfer(from: Owner, to: Owner, amount: number, idemKey?: string, memo?: string): Promise<Transfer> {
    assertAmount(amount);
    return this.once(idemKey, () =>
      this.db.transaction().execute(async (trx) => {
        await this.open(to, trx);
        return this.post(trx, {
          kind: 'transfer',
          actorId: from.id,
          ...(memo ? { memo } : {}),
          ...(idemKey ? { idemKey } : {}),
          entries: [
            { account: walletOf(from.id), amount: -amount },
            { account: walletOf(to.id), amount },
          ],
        });
      }),
    );
  }

  /**
   * Runs a keyed operation; when a concurrent twin with the same key committed first, answers
   * with that one's transfer (the same request never pays twice, and the loser sees the winner).
   */
  async once(idemKey: string | undefined, run: () => Promise<Transfer>): Promise<Transfer> {
    try {
      return await run();
    } catch (err) {
      if (
        idemKey === undefined ||
        !(err instanceof MsecError) ||
        err.code !== 'MARKET_IDEMPOTENCY_CONFLICT' ||
        err.details?.concurrent !== true
      )
        throw err;
      const winner = await this.byIdemKey(this.db, idemKey);
      if (!winner) throw err;
      return replay(winner, String(err.details.fingerprint));
    }
  }

  /**
   * Posts balanced entries inside the caller's transaction. A retry with the same idempotency
   * key and the same entries returns the first transfer; with other entries it is refused.
   */
  async post(trx: Transaction<MarketTables>, input: TransferInput): Promise<Transfer> {
    const entries = input.entries.filter((e) => e.amount !== 0);
    if (entries.some((e) => !Number.isSafeInteger(e.amount)))
      throw new MsecError('MARKET_AMOUNT_INVALID', 'entry amounts must be whole minor units');
    if (entries.reduce((s, e) => s + e.amount, 0) !== 0) throw new MsecError('INTERNAL', 'unbalanced transfer');
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([input.kind, entries]))
      .digest('hex');
    if (input.idemKey !== undefined) {
      const earlier = await this.byIdemKey(trx, input.idemKey);
      if (earlier) return replay(earlier, fingerprint);
    }
    const transfer: Transfer = {
      id: newId('xfer'),
      kind: input.kind,
      memo: input.memo ?? null,
      createdAt: this.clock.now(),
      entries,
      replayed: false,
    };
    try {
      await trx
        .insertInto('market_transfers')
        .values({
          id: transfer.id,
          idem_key: input.idemKey ?? null,
          fingerprint,
          kind: input.kind,
          actor_id: input.actorId,
          memo: transfer.memo,
          created_at: transfer.createdAt,
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new MsecError(
          'MARKET_IDEMPOTENCY_CONFLICT',
          'a concurrent request with this idempotency key won the race',
          { details: { concurrent: true, fingerprint } },
        );
      throw err;
    }
    if (entries.length > 0) {
      await trx
        .insertInto('market_entries')
        .values(
          entries.map((e) => ({
            transfer_id: transfer.id,
            account_id: e.account,
            amount: e.amount,
            created_at: transfer.createdAt,
          })),
        )
        .execute();
    }
    for (const e of [...entries].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0))) {
      try {
        const res = await trx
          .updateTable('market_accounts')
          .set((eb) => ({ balance: eb('balance', '+', e.amount) }))
          .where('id', '=', e.account)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) throw new MsecError('NOT_FOUND', `account ${e.account} does not exist`);
      } catch (err) {
        if (isCheckViolation(err))
          throw new MsecError('MARKET_INSUFFICIENT_FUNDS', `insufficient funds in ${e.account}`, {
            details: { account: e.account },
          });
        throw err;
      }
    }
    return transfer;
  }

  private async byIdemKey(
    db: MarketDb,
    key: string,
  ): Promise<(Omit<Transfer, 'replayed'> & { fingerprint: string }) | undefined> {
    const t = await db.selectFrom('market_transfers').selectAll().where('idem_key', '=', key).executeTakeFirst();
    if (!t) return undefined;
    const rows = await db
      .selectFrom('market_entries')
      .select(['account_id', 'amount'])
      .where('transfer_id', '=', t.id)
      .orderBy('id')
      .execute();
    return {
      id: t.id,
      kind: t.kind,
      memo: t.memo,
      createdAt: Number(t.created_at),
      fingerprint: t.fingerprint,
      entries: rows.map((r) => ({ account: r.account_id, amount: Number(r.amount) })),
    };
  }

  /** A transfer already made under this key (for callers that retry a whole operation). */
  async findByIdemKey(key: string): Promise<Transfer | undefined> {
    const t = await this.byIdemKey(this.db, key);
    return t && { id: t.id, kind: t.kind, memo: t.memo, createdAt: t.createdAt, entries: t.entries, replayed: true };
  }

  async balances(principalId: string): Promise<{ available: number; escrow: number }> {
    const rows = await this.db
      .selectFrom('market_accounts')
      .select(['id', 'balance'])
      .where('id', 'in', [walletOf(principalId), escrowOf(principalId)])
      .execute();
    const of = (id: string) => Number(rows.find((r) => r.id === id)?.balance ?? 0);
    return { available: of(walletOf(principalId)), escrow: of(escrowOf(principalId)) };
  }

  /** The entries on a principal's accounts, newest first, paged by entry id. */
  async statement(principalId: string, opts: { before?: number; limit?: number } = {}): Promise<StatementLine[]> {
    let q = this.db
      .selectFrom('market_entries')
      .innerJoin('market_transfers', 'market_transfers.id', 'market_entries.transfer_id')
      .select([
        'market_entries.id as entryId',
        'market_entries.transfer_id as transferId',
        'market_transfers.kind as kind',
        'market_transfers.memo as memo',
        'market_entries.account_id as account',
        'market_entries.amount as amount',
        'market_entries.created_at as createdAt',
      ])
      .where('market_entries.account_id', 'in', [walletOf(principalId), escrowOf(principalId)])
      .orderBy('market_entries.id', 'desc')
      .limit(Math.min(Math.max(opts.limit ?? 100, 1), 1000));
    if (opts.before !== undefined) q = q.where('market_entries.id', '<', opts.before);
    return (await q.execute()).map((r) => ({
      ...r,
      entryId: Number(r.entryId),
      amount: Number(r.amount),
      createdAt: Number(r.createdAt),
    }));
  }

  /** The books' invariant figures: minted supply, sum of wallets and escrows, the lowest balance. */
  async totals(
    db: MarketDb = this.db,
  ): Promise<{ supply: number; held: number; lowest: number; unbalancedTransfers: number }> {
    const accounts = await db.selectFrom('market_accounts').select(['kind', 'balance']).execute();
    let supply = 0;
    let held = 0;
    let lowest = 0;
    for (const a of accounts) {
      const b = Number(a.balance);
      if (a.kind === 'issuer') supply -= b;
      else {
        held += b;
        lowest = Math.min(lowest, b);
      }
    }
    const unbalanced = await db
      .selectFrom('market_entries')
      .select('transfer_id')
      .groupBy('transfer_id')
      .having((eb) => eb.fn.sum<number>('amount'), '<>', 0)
      .execute();
    return { supply, held, lowest, unbalancedTransfers: unbalanced.length };
  }
}

function replay(earlier: Omit<Transfer, 'replayed'> & { fingerprint: string }, fingerprint: string): Transfer {
  if (earlier.fingerprint !== fingerprint)
    throw new MsecError('MARKET_IDEMPOTENCY_CONFLICT', 'this idempotency key was used for a different request');
  const { fingerprint: _f, ...t } = earlier;
  return { ...t, replayed: true };
}
