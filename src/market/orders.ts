import type { BookOrder, Side } from './book.ts';
import type { MarketTables } from './schema.ts';

// Orders as the API takes and gives them, and their rows in the store and in the book.

export type OrderRow = MarketTables['market_orders'];

export interface PlaceOrder {
  /** The listing an ask sells; for a bid, names the class (or give `class`). */
  listingId?: string | undefined;
  class?: string | undefined;
  side: Side;
  type: 'limit' | 'market';
  /** Limit price per unit (one period) in minor units; absent for market orders. */
  price?: number | undefined;
  quantity: number;
  /** The order leaves the book after this many seconds. */
  ttlSeconds?: number | undefined;
  idempotencyKey?: string | undefined;
}

export interface Order {
  id: string;
  class: string;
  listingId: string | null;
  side: Side;
  type: 'limit' | 'market';
  price: number | null;
  quantity: number;
  remaining: number;
  ownerId: string;
  ownerOrg: string;
  escrow: number;
  status: OrderRow['status'];
  expiresAt: number | null;
  createdAt: number;
  closedAt: number | null;
}

export const orderFromRow = (r: OrderRow): Order => ({
  id: r.id,
  class: r.class,
  listingId: r.listing_id,
  side: r.side,
  type: r.type,
  price: r.price === null ? null : Number(r.price),
  quantity: Number(r.quantity),
  remaining: Number(r.remaining),
  ownerId: r.owner_id,
  ownerOrg: r.owner_org,
  escrow: Number(r.escrow),
  status: r.status,
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  createdAt: Number(r.created_at),
  closedAt: r.closed_at === null ? null : Number(r.closed_at),
});

export const toBook = (r: OrderRow): BookOrder => ({
  id: r.id,
  seq: Number(r.seq),
  side: r.side,
  type: r.type,
  price: r.price === null ? null : Number(r.price),
  remaining: Number(r.remaining),
  party: r.owner_org,
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  ...(r.listing_id ? { listingId: r.listing_id } : {}),
});
