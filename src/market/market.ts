import { MsecError, type Clock, type Logger, type Store } from '../core/index.ts';
import type { GrantStore } from '../hub/index.ts';
import { checkpointFile, proofToJson, sha256Hex, type TransparencyLog } from '../ledger/index.ts';
import { Exchange } from './exchange.ts';
import { Listings } from './listings.ts';
import { settlementHash, type Trade } from './settlement.ts';
import { Trust, type HubEvidence } from './trust.ts';
import { Wallets } from './wallets.ts';

export const DAILY_TOTALS_KIND = 'market.daily-totals';
export const SETTLEMENT_KIND = 'market.settlement';

export interface MarketDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  grants: GrantStore;
  log: TransparencyLog;
  hub: HubEvidence;
  /** How often expired orders and grants are swept and the day's totals logged (ms). */
  sweepMs?: number;
}

/**
 * The market's parts, wired: wallets, listings, the exchange, trust; and its housekeeping. Each
 * settlement goes on the ledger after it commits (trades whose entry is missing are re-logged
 * at start and on every sweep, so none is lost); each past UTC day's totals are logged once.
 */
export class Market {
  readonly wallets: Wallets;
  readonly listings: Listings;
  readonly exchange: Exchange;
  readonly trust: Trust;
  private timer: NodeJS.Timeout | undefined;
  /** Trades being logged right now, so a sweep never logs one twice. */
  private readonly logging = new Set<string>();
  private sweeping: Promise<void> = Promise.resolve();

  constructor(private readonly deps: MarketDeps) {
    this.wallets = new Wallets(deps.store, deps.clock);
    this.listings = new Listings(this.wallets.db, deps.hub.twins, deps.clock);
    this.exchange = new Exchange({
      wallets: this.wallets,
      listings: this.listings,
      grants: deps.grants,
      clock: deps.clock,
      afterCommit: (t) => this.afterCommit(t),
    });
    this.trust = new Trust({ wallets: this.wallets, listings: this.listings, hub: deps.hub, clock: deps.clock });
  }

  async start(): Promise<void> {
    await this.exchange.start();
    await this.sweep();
    const every = this.deps.sweepMs ?? 1000;
    this.timer = setInterval(() => {
      this.sweeping = this.sweeping
        .then(() => this.sweep())
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'market sweep failed'));
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  /** Expires orders (escrow back), deletes expired grants, logs missing settlements and past days. */
  async sweep(): Promise<void> {
    await this.exchange.expireOrders();
    await this.deps.grants.removeExpired();
    const pending = await this.wallets.db
      .selectFrom('market_trades')
      .select('id')
      .where('ledger_index', 'is', null)
      .limit(1000)
      .execute();
    if (pending.length > 0) await this.afterCommit(await Promise.all(pending.map((p) => this.trust.trade(p.id))));
    await this.logDay(utcDay(this.deps.clock.now() - 86400_000));
  }

  private async afterCommit(all: Trade[]): Promise<void> {
    this.deps.grants.adopt(all.flatMap((t) => (t.grant ? [t.grant] : [])));
    for (const t of all) delete t.grant;
    const trades = all.filter((t) => !this.logging.has(t.id));
    for (const t of trades) this.logging.add(t.id);
    try {
      const results = await this.deps.log.appendBatch(
        trades.map((t) => ({ kind: SETTLEMENT_KIND, dataHash: settlementHash(t) })),
      );
      for (const [i, t] of trades.entries()) {
        t.ledgerIndex = results[i]!.index;
        await this.wallets.db
          .updateTable('market_trades')
          .set({ ledger_index: t.ledgerIndex })
          .where('id', '=', t.id)
          .execute();
      }
    } catch (err) {
      // The trade stands (it committed); the sweep logs it later.
      this.deps.logger.warn({ err }, 'settlement not yet on the ledger');
    } finally {
      for (const t of trades) this.logging.delete(t.id);
    }
  }

  /** A day's totals: trades, volume, the supply at the time of logging. Logged once per day. */
  async dailyTotals(
    day: string,
  ): Promise<{ day: string; trades: number; volume: number; refunded: number; supply: number }> {
    const from = Date.parse(`${day}T00:00:00Z`);
    if (!Number.isFinite(from)) throw new MsecError('VALIDATION_FAILED', 'day must be YYYY-MM-DD');
    const row = await this.wallets.db
      .selectFrom('market_trades')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>('amount').as('v'),
        eb.fn.sum<number>('refunded').as('r'),
      ])
      .where('created_at', '>=', from)
      .where('created_at', '<', from + 86400_000)
      .executeTakeFirst();
    const { supply } = await this.wallets.totals();
    return { day, trades: Number(row?.n ?? 0), volume: Number(row?.v ?? 0), refunded: Number(row?.r ?? 0), supply };
  }

  async logDay(day: string): Promise<number> {
    const done = await this.wallets.db
      .selectFrom('market_daily')
      .select('ledger_index')
      .where('day', '=', day)
      .executeTakeFirst();
    if (done) return Number(done.ledger_index);
    const document = JSON.stringify({ v: 1, ...(await this.dailyTotals(day)) });
    const { index } = await this.deps.log.append({ kind: DAILY_TOTALS_KIND, dataHash: sha256Hex(document) });
    await this.wallets.db
      .insertInto('market_daily')
      .values({ day, document, ledger_index: index })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
    return index;
  }

  /** Entry, inclusion proof and signed checkpoint: the bundle `msec ledger verify` checks. */
  async ledgerProof(index: number): Promise<{ entry: unknown; proof: unknown; checkpoint: unknown }> {
    const log = this.deps.log;
    await log.drain();
    const size = log.size;
    return {
      entry: await log.getEntry(index),
      proof: proofToJson(await log.inclusionProof(index, size)),
      checkpoint: checkpointFile(await log.checkpointAt(size)),
    };
  }

  /** Invariants of the books (tests and operators): supply = balances + escrow, none negative, every market grant backed. */
  async invariants(): Promise<{
    supply: number;
    held: number;
    lowest: number;
    unbalancedTransfers: number;
    unbackedGrants: number;
  }> {
    const totals = await this.wallets.totals();
    const trades = new Set(
      (await this.wallets.db.selectFrom('market_trades').select(['id', 'grant_id']).execute()).map(
        (t) => `market:${t.id}|${t.grant_id}`,
      ),
    );
    const grants = (await this.deps.grants.list(undefined)).filter((g) => g.createdBy.startsWith('market:'));
    return { ...totals, unbackedGrants: grants.filter((g) => !trades.has(`${g.createdBy}|${g.id}`)).length };
  }
}

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
