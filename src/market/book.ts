import { MsecError } from '../core/index.ts';

export type Side = 'bid' | 'ask';

export interface BookOrder {
  id: string;
  /** Arrival order: earlier wins at the same price (time priority). */
  seq: number;
  side: Side;
  type: 'limit' | 'market';
  /** Limit price per unit in minor units; null for market orders. */
  price: number | null;
  remaining: number;
  /** Orders of the same party (organisation) never trade with each other (no wash trades). */
  party: string;
  expiresAt: number | null;
  /** What an ask sells (the listing); bids carry none. */
  listingId?: string;
}

export interface Fill {
  bidId: string;
  askId: string;
  /** The resting (maker) order's price. */
  price: number;
  quantity: number;
  listingId: string;
  makerId: string;
}

export interface SubmitResult {
  fills: Fill[];
  /** Resting orders found expired while matching, removed from the book. */
  expired: BookOrder[];
  /** Unfilled quantity of the incoming order. */
  remaining: number;
  /** True when the remainder now rests in the book (limit orders only). */
  rests: boolean;
}

interface Level {
  price: number;
  queue: BookOrder[];
  head: number;
}

/**
 * One continuous double auction: limit and market orders, price-time priority, partial fills,
 * cancel and expiry. Pure and in memory (the exchange persists every order and rebuilds a book
 * from the store), so it matches hundreds of thousands of orders a second.
 */
export class OrderBook {
  /** Best first: bids by price descending, asks ascending. */
  private readonly levels: Record<Side, Level[]> = { bid: [], ask: [] };
  private readonly byId = new Map<string, BookOrder>();

  submit(order: BookOrder, now: number): SubmitResult {
    if (order.type === 'limit' && (order.price === null || order.price <= 0))
      throw new MsecError('MARKET_AMOUNT_INVALID', 'a limit order needs a positive price');
    if (this.byId.has(order.id)) throw new MsecError('CONFLICT', `order ${order.id} is already in the book`);
    const expired = this.dropExpiredTops(order.side === 'bid' ? 'ask' : 'bid', now);
    this.refuseSelfTrade(order, now);
    const fills: Fill[] = [];
    const opposite = this.levels[order.side === 'bid' ? 'ask' : 'bid'];
    let remaining = order.remaining;
    while (remaining > 0 && opposite.length > 0) {
      const level = opposite[0]!;
      if (!crosses(order, level.price)) break;
      const maker = level.queue[level.head]!;
      if (maker.expiresAt !== null && maker.expiresAt <= now) {
        expired.push(maker);
        this.popHead(opposite, level);
        continue;
      }
      const q = Math.min(remaining, maker.remaining);
      fills.push(
        order.side === 'bid'
          ? {
              bidId: order.id,
              askId: maker.id,
              price: level.price,
              quantity: q,
              listingId: maker.listingId ?? '',
              makerId: maker.id,
            }
          : {
              bidId: maker.id,
              askId: order.id,
              price: level.price,
              quantity: q,
              listingId: order.listingId ?? '',
              makerId: maker.id,
            },
      );
      remaining -= q;
      maker.remaining -= q;
      if (maker.remaining === 0) this.popHead(opposite, level);
    }
    const rests = remaining > 0 && order.type === 'limit' && (order.expiresAt === null || order.expiresAt > now);
    if (rests) this.rest({ ...order, remaining });
    return { fills, expired, remaining, rests };
  }

  /** Puts back a resting order loaded from the store (rebuilding a book), without matching. */
  restore(order: BookOrder): void {
    if (order.type !== 'limit' || order.price === null || order.remaining <= 0)
      throw new MsecError('INTERNAL', `order ${order.id} cannot rest`);
    this.rest({ ...order });
  }

  cancel(id: string): BookOrder | undefined {
    const o = this.byId.get(id);
    if (!o) return undefined;
    this.byId.delete(id);
    const side = this.levels[o.side];
    const i = side.findIndex((l) => l.price === o.price);
    const level = side[i]!;
    const at = level.queue.indexOf(o, level.head);
    level.queue.splice(at, 1);
    if (level.head >= level.queue.length) side.splice(i, 1);
    return o;
  }

  /** Removes and returns every resting order expired by `now`. */
  expire(now: number): BookOrder[] {
    const out: BookOrder[] = [];
    for (const o of [...this.byId.values()])
      if (o.expiresAt !== null && o.expiresAt <= now) out.push(this.cancel(o.id)!);
    return out;
  }

  get(id: string): BookOrder | undefined {
    return this.byId.get(id);
  }

  /** Aggregated depth, best first: [price, quantity] per level. */
  depth(maxLevels = 20): { bids: [number, number][]; asks: [number, number][] } {
    const agg = (side: Level[]): [number, number][] =>
      side.slice(0, maxLevels).map((l) => [l.price, l.queue.slice(l.head).reduce((s, o) => s + o.remaining, 0)]);
    return { bids: agg(this.levels.bid), asks: agg(this.levels.ask) };
  }

  best(side: Side): number | undefined {
    return this.levels[side][0]?.price;
  }

  /** Every resting order in priority order (for checks and snapshots). */
  resting(side: Side): BookOrder[] {
    return this.levels[side].flatMap((l) => l.queue.slice(l.head));
  }

  /** Rejects (before any fill) an order that would trade with its own party. */
  private refuseSelfTrade(order: BookOrder, now: number): void {
    let want = order.remaining;
    for (const level of this.levels[order.side === 'bid' ? 'ask' : 'bid']) {
      if (want <= 0 || !crosses(order, level.price)) return;
      for (let i = level.head; i < level.queue.length && want > 0; i++) {
        const o = level.queue[i]!;
        if (o.expiresAt !== null && o.expiresAt <= now) continue;
        if (o.party === order.party)
          throw new MsecError('MARKET_SELF_TRADE', 'this order would trade with an order of your own organisation');
        want -= o.remaining;
      }
    }
  }

  private dropExpiredTops(side: Side, now: number): BookOrder[] {
    const out: BookOrder[] = [];
    const levels = this.levels[side];
    while (levels.length > 0) {
      const level = levels[0]!;
      const o = level.queue[level.head]!;
      if (o.expiresAt === null || o.expiresAt > now) break;
      out.push(o);
      this.popHead(levels, level);
    }
    return out;
  }

  private popHead(side: Level[], level: Level): void {
    const o = level.queue[level.head]!;
    this.byId.delete(o.id);
    level.head++;
    if (level.head >= level.queue.length) side.shift();
    else if (level.head > 64 && level.head * 2 > level.queue.length) {
      level.queue = level.queue.slice(level.head);
      level.head = 0;
    }
  }

  private rest(o: BookOrder): void {
    const side = this.levels[o.side];
    const price = o.price!;
    const better = o.side === 'bid' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
    // Binary search for the level (levels are strictly ordered best first).
    let lo = 0;
    let hi = side.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (better(side[mid]!.price, price)) lo = mid + 1;
      else hi = mid;
    }
    const level = side[lo];
    if (level && level.price === price) level.queue.push(o);
    else side.splice(lo, 0, { price, queue: [o], head: 0 });
    this.byId.set(o.id, o);
  }
}

function crosses(order: BookOrder, restingPrice: number): boolean {
  if (order.type === 'market') return true;
  return order.side === 'bid' ? restingPrice <= order.price! : restingPrice >= order.price!;
}
