import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePlatformKey, ManualClock, MsecError, silentLogger, type Store } from '../src/core/index.ts';
import { hubModule } from '../src/hub/index.ts';
import { HistoryStore } from '../src/hub/history/history-store.ts';
import { GrantStore } from '../src/hub/twins/grant-store.ts';
import { TwinStore } from '../src/hub/twins/twin-store.ts';
import { ledgerMigrations, TransparencyLog } from '../src/ledger/index.ts';
import { marketMigrations } from '../src/market/index.ts';
import { Market } from '../src/market/market.ts';
import { storeCases } from './helpers/stores.ts';

const MSEC = 1_000_000;
const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof MsecError) return err.code;
    throw err;
  }
};

/** The exchange on both sides of the storage port, with the hub's real grant, twin and history stores and the real ledger. */
for (const sc of storeCases) {
  describe(`market exchange on ${sc.name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let market: Market;
    let grants: GrantStore;
    let twins: TwinStore;
    let log: TransparencyLog;
    const clock = new ManualClock();
    const seller = { id: 'seller-1', org: 'santander' };
    const buyers = [
      { id: 'b1', org: 'buyer-a' },
      { id: 'b2', org: 'buyer-b' },
      { id: 'b3', org: 'buyer-c' },
    ];
    let listingId: string;
    let cls: string;
    const open = async () => {
      const m = new Market({
        store,
        clock,
        logger: silentLogger(),
        grants,
        log,
        hub: { twins, history: new HistoryStore(store, silentLogger()), devices: undefined },
        sweepMs: 3_600_000,
      });
      await m.start();
      return m;
    };

    beforeAll(async () => {
      ({ store, cleanup } = await sc.open([
        ...(hubModule().migrations ?? []),
        ...ledgerMigrations,
        ...marketMigrations,
      ]));
      twins = new TwinStore(store, clock, silentLogger());
      await twins.upsertProvider('air-1', 'santander', {});
      await twins.defineResource(
        { provider: 'air-1', service: 'weather', resource: 'temperature' },
        'santander',
        'sensor',
        {},
      );
      grants = new GrantStore(clock);
      await grants.start(store, 3_600_000);
      log = await TransparencyLog.open({ store, key: generatePlatformKey(), clock });
      market = await open();
      for (const b of buyers) await market.wallets.mint(b, 1000 * MSEC, 'operator');
      const l = await market.listings.create(seller, {
        kind: 'live',
        provider: 'air-1',
        service: 'weather',
        resource: 'temperature',
        terms: { pricing: 'per-period', price: 3 * MSEC, periodSeconds: 3600, licence: 'CC-BY-4.0' },
      });
      listingId = l.id;
      cls = l.class;
    });
    afterAll(async () => {
      await market?.stop();
      grants?.stop();
      await cleanup?.();
    });

    it('matches a bid against the ask at the ask price, refunds the difference, grants access for the periods bought', async () => {
      const ask = await market.exchange.place(seller, {
        listingId,
        side: 'ask',
        type: 'limit',
        price: 3 * MSEC,
        quantity: 5,
      });
      expect(ask.trades).toEqual([]);
      const bid = await market.exchange.place(buyers[0]!, {
        listingId,
        side: 'bid',
        type: 'limit',
        price: 4 * MSEC,
        quantity: 3,
      });
      expect(bid.trades.map((t) => [t.price, t.quantity, t.amount])).toEqual([[3 * MSEC, 3, 9 * MSEC]]);
      expect(bid.order.status).toBe('filled');
      expect(await market.wallets.balances('b1')).toEqual({ available: 991 * MSEC, escrow: 0 });
      expect(await market.wallets.balances('seller-1')).toEqual({ available: 9 * MSEC, escrow: 0 });
      const grant = await grants.get(bid.trades[0]!.grantId);
      expect(grant).toMatchObject({
        principalId: 'b1',
        org: 'santander',
        provider: 'air-1',
        access: 'READ',
        expiresAt: clock.now() + 3 * 3600_000,
      });
      expect(market.exchange.book(cls).depth()).toEqual({ bids: [], asks: [[3 * MSEC, 2]] });
    });

    it('escrows a resting bid, returns it on cancel, refuses self-trades, empty market orders and bad input', async () => {
      const bid = await market.exchange.place(buyers[1]!, {
        class: cls,
        side: 'bid',
        type: 'limit',
        price: 2 * MSEC,
        quantity: 4,
        idempotencyKey: 'k',
      });
      expect(bid.order.status).toBe('open');
      expect(await market.wallets.balances('b2')).toEqual({ available: 992 * MSEC, escrow: 8 * MSEC });
      const replay = await market.exchange.place(buyers[1]!, {
        class: cls,
        side: 'bid',
        type: 'limit',
        price: 2 * MSEC,
        quantity: 4,
        idempotencyKey: 'k',
      });
      expect(replay).toMatchObject({ replayed: true, order: { id: bid.order.id } });
      expect(await market.wallets.balances('b2')).toEqual({ available: 992 * MSEC, escrow: 8 * MSEC });
      await market.exchange.cancel(buyers[1]!, bid.order.id, () => undefined);
      expect(await market.wallets.balances('b2')).toEqual({ available: 1000 * MSEC, escrow: 0 });
      expect(await codeOf(market.exchange.cancel(buyers[1]!, bid.order.id, () => undefined))).toBe(
        'MARKET_ORDER_CLOSED',
      );
      expect(
        await codeOf(
          market.exchange.place(
            { id: 'seller-2', org: 'santander' },
            { class: cls, side: 'bid', type: 'limit', price: 5 * MSEC, quantity: 1 },
          ),
        ),
      ).toBe('MARKET_SELF_TRADE');
      expect(
        await codeOf(
          market.exchange.place(buyers[1]!, { listingId, side: 'ask', type: 'limit', price: MSEC, quantity: 1 }),
        ),
      ).toBe('MARKET_NOT_RESOURCE_OWNER');
      for (const bad of [
        { price: 0 },
        { price: -5 },
        { price: 1.5 },
        { quantity: 0 },
        { quantity: 2.5 },
        { price: Number.MAX_SAFE_INTEGER, quantity: 3 },
      ]) {
        expect(
          await codeOf(
            market.exchange.place(buyers[1]!, {
              class: cls,
              side: 'bid',
              type: 'limit',
              price: MSEC,
              quantity: 1,
              ...bad,
            }),
          ),
        ).toBe('MARKET_AMOUNT_INVALID');
      }
      expect(
        await codeOf(
          market.exchange.place(buyers[1]!, {
            class: cls,
            side: 'bid',
            type: 'limit',
            price: 2000 * MSEC,
            quantity: 1,
          }),
        ),
      ).toBe('MARKET_INSUFFICIENT_FUNDS');
      // A failed order leaves the book as the store has it.
      expect(market.exchange.book(cls).depth()).toEqual({ bids: [], asks: [[3 * MSEC, 2]] });
      const sellerSide = { id: 'b9', org: 'buyer-z' };
      expect(
        await codeOf(
          market.exchange.place(sellerSide, { class: 'nothing-here', side: 'bid', type: 'market', quantity: 1 }),
        ),
      ).toBe('MARKET_LISTING_NOT_FOUND');
    });

    it('expires orders (escrow back) and rebuilds the same book after a restart', async () => {
      await market.exchange.place(buyers[2]!, {
        class: cls,
        side: 'bid',
        type: 'limit',
        price: 1 * MSEC,
        quantity: 2,
        ttlSeconds: 1,
      });
      await market.exchange.place(buyers[2]!, { class: cls, side: 'bid', type: 'limit', price: 2 * MSEC, quantity: 1 });
      expect((await market.wallets.balances('b3')).escrow).toBe(4 * MSEC);
      clock.advance(2000);
      expect(await market.exchange.expireOrders()).toBe(1);
      expect(await market.wallets.balances('b3')).toEqual({ available: 998 * MSEC, escrow: 2 * MSEC });
      const depth = market.exchange.book(cls).depth();
      await market.stop();
      market = await open();
      expect(market.exchange.book(cls).depth()).toEqual(depth);
    });

    it('keeps the books whole under random concurrent workloads', async () => {
      const op = fc.oneof(
        fc.record({
          kind: fc.constant('bid' as const),
          who: fc.integer({ min: 0, max: 2 }),
          price: fc.integer({ min: 1, max: 6 }),
          qty: fc.integer({ min: 1, max: 4 }),
          market: fc.boolean(),
          ttl: fc.option(fc.integer({ min: 1, max: 3 })),
        }),
        fc.record({
          kind: fc.constant('ask' as const),
          price: fc.integer({ min: 1, max: 6 }),
          qty: fc.integer({ min: 1, max: 4 }),
        }),
        fc.record({
          kind: fc.constant('buy' as const),
          who: fc.integer({ min: 0, max: 2 }),
          qty: fc.integer({ min: 1, max: 3 }),
          key: fc.integer({ min: 0, max: 3 }),
        }),
        fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
        fc.record({ kind: fc.constant('tick' as const) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
          const openIds = (await market.exchange.orders('b1', 'open'))
            .concat(await market.exchange.orders('b2', 'open'), await market.exchange.orders('b3', 'open'))
            .map((o) => o.id);
          const outcomes = await Promise.all(
            ops.map((o) => {
              if (o.kind === 'bid')
                return codeOf(
                  market.exchange.place(buyers[o.who]!, {
                    class: cls,
                    side: 'bid',
                    type: o.market ? 'market' : 'limit',
                    ...(o.market ? {} : { price: o.price * MSEC }),
                    quantity: o.qty,
                    ...(o.ttl === null ? {} : { ttlSeconds: o.ttl }),
                  }),
                );
              if (o.kind === 'ask')
                return codeOf(
                  market.exchange.place(seller, {
                    listingId,
                    side: 'ask',
                    type: 'limit',
                    price: o.price * MSEC,
                    quantity: o.qty,
                  }),
                );
              if (o.kind === 'buy')
                return codeOf(market.exchange.buyNow(buyers[o.who]!, listingId, o.qty, `buy-${o.key}-${ops.length}`));
              if (o.kind === 'cancel') {
                const id = openIds[o.pick % Math.max(1, openIds.length)];
                return id === undefined
                  ? Promise.resolve('ok')
                  : codeOf(market.exchange.cancel(buyers[0]!, id, () => undefined));
              }
              clock.advance(1000);
              return codeOf(market.exchange.expireOrders());
            }),
          );
          expect(
            outcomes.every((c) =>
              ['ok', 'MARKET_NO_LIQUIDITY', 'MARKET_ORDER_CLOSED', 'MARKET_INSUFFICIENT_FUNDS'].includes(c),
            ),
          ).toBe(true);
          const inv = await market.invariants();
          expect(inv.held).toBe(inv.supply);
          expect(inv.lowest).toBeGreaterThanOrEqual(0);
          expect(inv.unbalancedTransfers).toBe(0);
          expect(inv.unbackedGrants).toBe(0);
          // Every open bid's escrow is its price × remaining, and the escrow accounts hold exactly that.
          let escrowed = 0;
          let held = 0;
          for (const b of buyers) {
            const bids = (await market.exchange.orders(b.id, 'open')).filter((o) => o.side === 'bid');
            for (const o of bids) expect(o.escrow).toBe(o.price! * o.remaining);
            escrowed += bids.reduce((s, o) => s + o.escrow, 0);
            held += (await market.wallets.balances(b.id)).escrow;
          }
          expect(held).toBe(escrowed);
          const bid = market.exchange.book(cls).best('bid');
          const ask = market.exchange.book(cls).best('ask');
          if (bid !== undefined && ask !== undefined) expect(bid).toBeLessThan(ask);
        }),
        { numRuns: sc.name === 'sqlite' ? 12 : 6 },
      );
    });
  });
}
