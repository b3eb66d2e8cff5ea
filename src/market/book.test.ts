import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderBook, type BookOrder, type Fill } from './book.ts';

type Op =
  | {
      kind: 'order';
      side: 'bid' | 'ask';
      type: 'limit' | 'market';
      price: number;
      qty: number;
      party: string;
      ttl: number | null;
    }
  | { kind: 'cancel'; pick: number }
  | { kind: 'tick' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      side: fc.constantFrom('bid' as const, 'ask' as const),
      type: fc.constantFrom('limit' as const, 'limit' as const, 'market' as const),
      price: fc.integer({ min: 1, max: 12 }),
      qty: fc.integer({ min: 1, max: 9 }),
      party: fc.constantFrom('a', 'b', 'c', 'd'),
      ttl: fc.option(fc.integer({ min: 1, max: 5 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'tick' as const }) },
);

/** A deliberately naive reference: scan every resting order, sort by price then time. */
class NaiveBook {
  orders: BookOrder[] = [];
  submit(o: BookOrder, now: number): { fills: Fill[]; error?: string } {
    this.orders = this.orders.filter((r) => r.expiresAt === null || r.expiresAt > now || r.side === o.side);
    const crossing = (p: number) => o.type === 'market' || (o.side === 'bid' ? p <= o.price! : p >= o.price!);
    const opp = this.orders
      .filter((r) => r.side !== o.side && crossing(r.price!))
      .sort((x, y) => (o.side === 'bid' ? x.price! - y.price! : y.price! - x.price!) || x.seq - y.seq);
    let want = o.remaining;
    for (const r of opp) {
      if (want <= 0) break;
      if (r.party === o.party) return { fills: [], error: 'MARKET_SELF_TRADE' };
      want -= r.remaining;
    }
    const fills: Fill[] = [];
    let left = o.remaining;
    for (const r of opp) {
      if (left === 0) break;
      const q = Math.min(left, r.remaining);
      fills.push(
        o.side === 'bid'
          ? { bidId: o.id, askId: r.id, price: r.price!, quantity: q, listingId: r.listingId ?? '', makerId: r.id }
          : { bidId: r.id, askId: o.id, price: r.price!, quantity: q, listingId: o.listingId ?? '', makerId: r.id },
      );
      r.remaining -= q;
      left -= q;
    }
    this.orders = this.orders.filter((r) => r.remaining > 0);
    if (left > 0 && o.type === 'limit') this.orders.push({ ...o, remaining: left });
    return { fills };
  }
}

describe('order book', () => {
  it('matches exactly like a naive price-time reference; never crossed; quantity conserved', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const book = new OrderBook();
        const ref = new NaiveBook();
        let now = 0;
        let seq = 0;
        const submitted = new Map<string, number>();
        const filled = new Map<string, number>();
        const gone = new Map<string, number>();
        for (const op of ops) {
          if (op.kind === 'tick') {
            now++;
            for (const o of book.expire(now)) gone.set(o.id, o.remaining);
            ref.orders = ref.orders.filter((r) => r.expiresAt === null || r.expiresAt > now);
            continue;
          }
          if (op.kind === 'cancel') {
            const resting = [...book.resting('bid'), ...book.resting('ask')];
            if (resting.length === 0) continue;
            const victim = resting[op.pick % resting.length]!;
            const c = book.cancel(victim.id)!;
            gone.set(c.id, c.remaining);
            ref.orders = ref.orders.filter((r) => r.id !== victim.id);
            continue;
          }
          const o: BookOrder = {
            id: `o${++seq}`,
            seq,
            side: op.side,
            type: op.type,
            price: op.type === 'market' ? null : op.price,
            remaining: op.qty,
            party: op.party,
            expiresAt: op.ttl === null ? null : now + op.ttl,
            ...(op.side === 'ask' ? { listingId: `l-${op.party}` } : {}),
          };
          const expected = ref.submit({ ...o }, now);
          let got: ReturnType<OrderBook['submit']> | undefined;
          let error: string | undefined;
          try {
            got = book.submit({ ...o }, now);
          } catch (err) {
            error = (err as { code?: string }).code;
          }
          expect(error).toBe(expected.error);
          if (!got) continue;
          expect(got.fills).toEqual(expected.fills);
          submitted.set(o.id, op.qty);
          for (const e of got.expired) gone.set(e.id, e.remaining);
          for (const f of got.fills) {
            filled.set(f.bidId, (filled.get(f.bidId) ?? 0) + f.quantity);
            filled.set(f.askId, (filled.get(f.askId) ?? 0) + f.quantity);
            // Price-time: the taker never pays more (or receives less) than its limit.
            if (o.type === 'limit') expect(o.side === 'bid' ? f.price <= o.price! : f.price >= o.price!).toBe(true);
          }
          if (!got.rests) gone.set(o.id, got.remaining);
          const bid = book.best('bid');
          const ask = book.best('ask');
          if (bid !== undefined && ask !== undefined) expect(bid).toBeLessThan(ask);
        }
        // Conservation: every unit submitted is filled, resting, or was cancelled/expired/unfilled.
        const resting = new Map([...book.resting('bid'), ...book.resting('ask')].map((r) => [r.id, r.remaining]));
        for (const [id, qty] of submitted)
          expect((filled.get(id) ?? 0) + (resting.get(id) ?? gone.get(id) ?? 0)).toBe(qty);
      }),
      { numRuns: 300 },
    );
  });

  it('fills partially at the resting price and keeps time priority within a level', () => {
    const book = new OrderBook();
    book.submit(
      {
        id: 'a1',
        seq: 1,
        side: 'ask',
        type: 'limit',
        price: 10,
        remaining: 2,
        party: 'x',
        expiresAt: null,
        listingId: 'L1',
      },
      0,
    );
    book.submit(
      {
        id: 'a2',
        seq: 2,
        side: 'ask',
        type: 'limit',
        price: 10,
        remaining: 5,
        party: 'y',
        expiresAt: null,
        listingId: 'L2',
      },
      0,
    );
    const r = book.submit(
      { id: 'b1', seq: 3, side: 'bid', type: 'limit', price: 12, remaining: 4, party: 'z', expiresAt: null },
      0,
    );
    expect(r.fills.map((f) => [f.askId, f.quantity, f.price, f.listingId])).toEqual([
      ['a1', 2, 10, 'L1'],
      ['a2', 2, 10, 'L2'],
    ]);
    expect(r.rests).toBe(false);
    expect(book.depth()).toEqual({ bids: [], asks: [[10, 3]] });
  });
});
