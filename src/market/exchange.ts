import { EventEmitter } from 'node:events';
import type { Transaction } from 'kysely';
import { MsecError, newId, type Clock } from '../core/index.ts';
import type { GrantStore } from '../hub/index.ts';
import { assertAmount, assertQuantity, costOf } from './amounts.ts';
import { OrderBook, type BookOrder, type SubmitResult } from './book.ts';
import { unitPrice, type Listing, type Listings } from './listings.ts';
import { orderFromRow, toBook, type Order, type OrderRow, type PlaceOrder } from './orders.ts';
import type { MarketTables } from './schema.ts';
import { settle, tradeFromRow, type Trade } from './settlement.ts';
import { escrowOf, walletOf, type Owner, type Wallets } from './wallets.ts';

export interface ExchangeEvents {
  book: [cls: string, depth: ReturnType<OrderBook['depth']>];
  trade: [trade: Trade];
}

/**
 * The exchange: one in-memory book per listing class, every order and its escrow durable. An
 * order is matched in the book, then its escrow, fills, settlements and grants commit in one
 * transaction; if that fails the class's book is rebuilt from the store, so the book never
 * holds what the store does not. Orders of one class are processed one at a time (a lock per
 * class); the market runs in one process.
 */
export class Exchange {
  readonly events = new EventEmitter<ExchangeEvents>();
  private readonly books = new Map<string, OrderBook>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private seq = 0;

  constructor(
    private readonly deps: {
      wallets: Wallets;
      listings: Listings;
      grants: GrantStore;
      clock: Clock;
      afterCommit: (trades: Trade[]) => Promise<void>;
    },
  ) {}

  private get db() {
    return this.deps.wallets.db;
  }

  async start(): Promise<void> {
    const max = await this.db
      .selectFrom('market_orders')
      .select((eb) => eb.fn.max<number>('seq').as('m'))
      .executeTakeFirst();
    this.seq = Number(max?.m ?? 0);
    const classes = await this.db
      .selectFrom('market_orders')
      .select('class')
      .distinct()
      .where('status', '=', 'open')
      .execute();
    for (const { class: cls } of classes) await this.rebuild(cls);
  }

  book(cls: string): OrderBook {
    let b = this.books.get(cls);
    if (!b) this.books.set(cls, (b = new OrderBook()));
    return b;
  }

  private async rebuild(cls: string): Promise<void> {
    const rows = await this.db
      .selectFrom('market_orders')
      .selectAll()
      .where('class', '=', cls)
      .where('status', '=', 'open')
      .orderBy('seq')
      .execute();
    const book = new OrderBook();
    for (const r of rows) book.restore(toBook(r));
    this.books.set(cls, book);
  }

  /** Runs `fn` after every earlier operation on the class finished (success or not). */
  private locked<T>(cls: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(cls) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(cls, tail);
    void tail.then(() => {
      if (this.locks.get(cls) === tail) this.locks.delete(cls);
    });
    return next;
  }

  async place(actor: Owner, input: PlaceOrder): Promise<{ order: Order; trades: Trade[]; replayed: boolean }> {
    const quantity = assertQuantity(input.quantity);
    if (input.type === 'limit') assertAmount(input.price, 'price');
    else if (input.price !== undefined) throw new MsecError('MARKET_AMOUNT_INVALID', 'a market order takes no price');
    if (input.type === 'limit') costOf(input.price!, quantity);
    if (
      input.ttlSeconds !== undefined &&
      (!Number.isSafeInteger(input.ttlSeconds) || input.ttlSeconds < 1 || input.ttlSeconds > 365 * 86400)
    ) {
      throw new MsecError('MARKET_AMOUNT_INVALID', 'ttlSeconds must be a whole number from 1 to 31536000');
    }
    const idem = input.idempotencyKey === undefined ? null : `${actor.id}:${input.idempotencyKey}`;
    const earlier = idem === null ? undefined : await this.byIdem(idem);
    if (earlier) return earlier;
    let listing: Listing | undefined;
    if (input.listingId !== undefined) listing = await this.deps.listings.require(input.listingId);
    if (input.side === 'ask') {
      if (!listing) throw new MsecError('MARKET_TERMS_INVALID', 'an ask names the listing it sells');
      if (listing.providerOrg !== actor.org)
        throw new MsecError('MARKET_NOT_RESOURCE_OWNER', "only the listing provider's organisation sells it");
    }
    if (listing && listing.status !== 'open')
      throw new MsecError('MARKET_LISTING_CLOSED', `listing ${listing.id} is closed`);
    const cls = listing?.class ?? input.class;
    if (cls === undefined) throw new MsecError('MARKET_TERMS_INVALID', 'a bid names a listing or a class');
    if (!listing && (await this.deps.listings.list({ class: cls, status: 'open' })).length === 0)
      throw new MsecError('MARKET_LISTING_NOT_FOUND', `no open listing in class ${cls}`);
    return this.locked(cls, async () => {
      const again = idem === null ? undefined : await this.byIdem(idem);
      if (again) return again;
      const now = this.deps.clock.now();
      const order: BookOrder = {
        id: newId('ord'),
        seq: ++this.seq,
        side: input.side,
        type: input.type,
        price: input.type === 'limit' ? input.price! : null,
        remaining: quantity,
        party: actor.org,
        expiresAt: input.ttlSeconds === undefined ? null : now + input.ttlSeconds * 1000,
        ...(input.side === 'ask' ? { listingId: listing!.id } : {}),
      };
      const book = this.book(cls);
      let result: SubmitResult;
      try {
        result = book.submit(order, now);
      } catch (err) {
        // A refused order may have dropped expired tops already: put the store's view back.
        await this.rebuild(cls);
        throw err;
      }
      let trades: Trade[];
      try {
        trades = await this.db
          .transaction()
          .execute((trx) => this.commit(trx, actor, cls, order, quantity, idem, result, now));
      } catch (err) {
        await this.rebuild(cls);
        throw err;
      }
      await this.published(cls, trades);
      if (input.type === 'market' && trades.length === 0)
        throw new MsecError('MARKET_NO_LIQUIDITY', 'no order on the other side to trade with');
      const row = await this.db
        .selectFrom('market_orders')
        .selectAll()
        .where('id', '=', order.id)
        .executeTakeFirstOrThrow();
      return { order: orderFromRow(row), trades, replayed: false };
    });
  }

  private async commit(
    trx: Transaction<MarketTables>,
    actor: Owner,
    cls: string,
    order: BookOrder,
    quantity: number,
    idem: string | null,
    result: SubmitResult,
    now: number,
  ): Promise<Trade[]> {
    const { wallets } = this.deps;
    await wallets.open(actor, trx);
    for (const e of result.expired) await this.close(trx, e.id, 'expired', now);
    if (order.type === 'market' && result.fills.length === 0) return [];
    const isBid = order.side === 'bid';
    let held = 0;
    if (isBid) {
      held =
        order.type === 'limit'
          ? costOf(order.price!, quantity)
          : result.fills.reduce((s, f) => s + costOf(f.price, f.quantity), 0);
      await wallets.post(trx, {
        kind: 'escrow',
        actorId: actor.id,
        memo: `order ${order.id}`,
        entries: [
          { account: walletOf(actor.id), amount: -held },
          { account: escrowOf(actor.id), amount: held },
        ],
      });
    }
    const trades: Trade[] = [];
    const listings = new Map<string, Listing>();
    for (const f of result.fills) {
      const maker = await trx
        .selectFrom('market_orders')
        .selectAll()
        .where('id', '=', f.makerId)
        .executeTakeFirstOrThrow();
      const listing = listings.get(f.listingId) ?? (await this.deps.listings.require(f.listingId, trx));
      listings.set(listing.id, listing);
      const amount = costOf(f.price, f.quantity);
      const makerOwner = { id: maker.owner_id, org: maker.owner_org };
      const [buyer, seller] = isBid ? [actor, makerOwner] : [makerOwner, actor];
      trades.push(
        await settle(trx, this.deps, {
          listing,
          buyer,
          seller,
          price: f.price,
          quantity: f.quantity,
          bidId: f.bidId,
          askId: f.askId,
          payFrom: 'escrow',
        }),
      );
      const makerRemaining = Number(maker.remaining) - f.quantity;
      const makerEscrow = Number(maker.escrow) - (isBid ? 0 : amount);
      await trx
        .updateTable('market_orders')
        .set({
          remaining: makerRemaining,
          escrow: makerEscrow,
          ...(makerRemaining === 0 ? { status: 'filled', closed_at: now } : {}),
        })
        .where('id', '=', maker.id)
        .execute();
      if (isBid) {
        held -= amount;
        // A limit bid pays the ask's price: the difference returns to the wallet now.
        if (order.type === 'limit' && order.price! > f.price) {
          const back = costOf(order.price! - f.price, f.quantity);
          held -= back;
          await wallets.post(trx, {
            kind: 'release',
            actorId: actor.id,
            memo: `price improvement ${order.id}`,
            entries: [
              { account: escrowOf(actor.id), amount: -back },
              { account: walletOf(actor.id), amount: back },
            ],
          });
        }
      }
    }
    if (!result.rests && held > 0) {
      await wallets.post(trx, {
        kind: 'release',
        actorId: actor.id,
        memo: `unfilled ${order.id}`,
        entries: [
          { account: escrowOf(actor.id), amount: -held },
          { account: walletOf(actor.id), amount: held },
        ],
      });
      held = 0;
    }
    await trx
      .insertInto('market_orders')
      .values({
        id: order.id,
        seq: order.seq,
        idem_key: idem,
        class: cls,
        listing_id: order.listingId ?? null,
        side: order.side,
        type: order.type,
        price: order.price,
        quantity,
        remaining: result.remaining,
        owner_id: actor.id,
        owner_org: actor.org,
        escrow: held,
        status: result.rests ? 'open' : result.remaining === 0 ? 'filled' : 'cancelled',
        expires_at: order.expiresAt,
        created_at: now,
        closed_at: result.rests ? null : now,
      })
      .execute();
    return trades;
  }

  /** Closes a resting order in the store, returning a bid's remaining escrow to its wallet. */
  private async close(
    trx: Transaction<MarketTables>,
    id: string,
    status: 'cancelled' | 'expired',
    now: number,
  ): Promise<void> {
    const row = await trx.selectFrom('market_orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const escrow = Number(row.escrow);
    if (escrow > 0) {
      await this.deps.wallets.post(trx, {
        kind: 'release',
        actorId: row.owner_id,
        memo: `${status} ${id}`,
        entries: [
          { account: escrowOf(row.owner_id), amount: -escrow },
          { account: walletOf(row.owner_id), amount: escrow },
        ],
      });
    }
    await trx.updateTable('market_orders').set({ status, escrow: 0, closed_at: now }).where('id', '=', id).execute();
  }

  async cancel(actor: Owner, id: string, authorize: (o: Order) => void): Promise<Order> {
    const row = await this.db.selectFrom('market_orders').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new MsecError('MARKET_ORDER_NOT_FOUND', `order ${id} not found`);
    authorize(orderFromRow(row));
    return this.locked(row.class, async () => {
      const book = this.book(row.class);
      if (!book.get(id)) throw new MsecError('MARKET_ORDER_CLOSED', `order ${id} is no longer open`);
      book.cancel(id);
      try {
        await this.db.transaction().execute((trx) => this.close(trx, id, 'cancelled', this.deps.clock.now()));
      } catch (err) {
        await this.rebuild(row.class);
        throw err;
      }
      await this.published(row.class, []);
      return orderFromRow(
        await this.db.selectFrom('market_orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
      );
    });
  }

  /** Closes a listing and takes its resting asks out of the book, so nothing more trades on it. */
  async closeListing(listing: Listing): Promise<void> {
    await this.locked(listing.class, async () => {
      const asks = await this.db
        .selectFrom('market_orders')
        .select('id')
        .where('listing_id', '=', listing.id)
        .where('status', '=', 'open')
        .execute();
      const book = this.book(listing.class);
      for (const a of asks) book.cancel(a.id);
      try {
        await this.db.transaction().execute(async (trx) => {
          await this.deps.listings.close(listing.id, trx);
          for (const a of asks) await this.close(trx, a.id, 'cancelled', this.deps.clock.now());
        });
      } catch (err) {
        await this.rebuild(listing.class);
        throw err;
      }
      await this.published(listing.class, []);
    });
  }

  /** Fixed-price purchase of `quantity` periods of a listing from its provider. */
  async buyNow(
    actor: Owner,
    listingId: string,
    quantity: number,
    idempotencyKey?: string,
  ): Promise<{ trade: Trade; replayed: boolean }> {
    assertQuantity(quantity);
    const listing = await this.deps.listings.require(listingId);
    if (listing.status !== 'open') throw new MsecError('MARKET_LISTING_CLOSED', `listing ${listingId} is closed`);
    if (listing.providerOrg === actor.org)
      throw new MsecError('MARKET_OWN_LISTING', 'an organisation cannot buy its own listing');
    const idem = idempotencyKey === undefined ? undefined : `${actor.id}:${idempotencyKey}`;
    const price = unitPrice(listing);
    costOf(price, quantity);
    return this.locked(listing.class, async () => {
      if (idem !== undefined) {
        const t = await this.db.selectFrom('market_trades').selectAll().where('idem_key', '=', idem).executeTakeFirst();
        if (t) return { trade: tradeFromRow(t), replayed: true };
      }
      const trade = await this.db.transaction().execute(async (trx) => {
        await this.deps.wallets.open(actor, trx);
        return settle(trx, this.deps, {
          listing,
          buyer: actor,
          seller: { id: listing.ownerId, org: listing.providerOrg },
          price,
          quantity,
          bidId: null,
          askId: null,
          payFrom: 'wallet',
          ...(idem ? { idemKey: idem } : {}),
        });
      });
      await this.published(listing.class, [trade]);
      return { trade, replayed: false };
    });
  }

  /** Takes expired orders out of every book and returns their escrow. */
  async expireOrders(): Promise<number> {
    let n = 0;
    for (const cls of [...this.books.keys()]) {
      n += await this.locked(cls, async () => {
        const now = this.deps.clock.now();
        const gone = this.book(cls).expire(now);
        if (gone.length === 0) return 0;
        try {
          await this.db.transaction().execute(async (trx) => {
            for (const o of gone) await this.close(trx, o.id, 'expired', now);
          });
        } catch (err) {
          await this.rebuild(cls);
          throw err;
        }
        await this.published(cls, []);
        return gone.length;
      });
    }
    return n;
  }

  private async published(cls: string, trades: Trade[]): Promise<void> {
    if (trades.length > 0) await this.deps.afterCommit(trades);
    for (const t of trades) this.events.emit('trade', t);
    this.events.emit('book', cls, this.book(cls).depth());
  }

  private async byIdem(idem: string): Promise<{ order: Order; trades: Trade[]; replayed: boolean } | undefined> {
    const row = await this.db.selectFrom('market_orders').selectAll().where('idem_key', '=', idem).executeTakeFirst();
    if (!row) return undefined;
    const col = row.side === 'bid' ? 'bid_id' : 'ask_id';
    const trades = await this.db
      .selectFrom('market_trades')
      .selectAll()
      .where(col, '=', row.id)
      .orderBy('created_at')
      .execute();
    return { order: orderFromRow(row), trades: trades.map(tradeFromRow), replayed: true };
  }

  async orders(ownerId: string, status?: OrderRow['status']): Promise<Order[]> {
    let q = this.db
      .selectFrom('market_orders')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .orderBy('seq', 'desc')
      .limit(500);
    if (status) q = q.where('status', '=', status);
    return (await q.execute()).map(orderFromRow);
  }
}
