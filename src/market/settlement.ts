import type { Transaction } from 'kysely';
import { newId, type Clock } from '../core/index.ts';
import type { Grant, GrantStore, GrantTerms } from '../hub/index.ts';
import { sha256Hex } from '../ledger/index.ts';
import { costOf } from './amounts.ts';
import type { Listing } from './listings.ts';
import type { MarketTables } from './schema.ts';
import { escrowOf, walletOf, type Owner, type Wallets } from './wallets.ts';

export interface Trade {
  /** The hub grant the trade created (in the same transaction), for the grant store to adopt. */
  grant?: Grant;
  id: string;
  class: string;
  listingId: string;
  bidId: string | null;
  askId: string | null;
  buyerId: string;
  buyerOrg: string;
  sellerId: string;
  sellerOrg: string;
  price: number;
  quantity: number;
  amount: number;
  grantId: string;
  accessFrom: number;
  accessUntil: number;
  refunded: number;
  ledgerIndex: number | null;
  createdAt: number;
}

export function tradeFromRow(r: MarketTables['market_trades']): Trade {
  return {
    id: r.id,
    class: r.class,
    listingId: r.listing_id,
    bidId: r.bid_id,
    askId: r.ask_id,
    buyerId: r.buyer_id,
    buyerOrg: r.buyer_org,
    sellerId: r.seller_id,
    sellerOrg: r.seller_org,
    price: Number(r.price),
    quantity: Number(r.quantity),
    amount: Number(r.amount),
    grantId: r.grant_id,
    accessFrom: Number(r.access_from),
    accessUntil: Number(r.access_until),
    refunded: Number(r.refunded),
    ledgerIndex: r.ledger_index === null ? null : Number(r.ledger_index),
    createdAt: Number(r.created_at),
  };
}

/**
 * The settlement document logged on the ledger: fixed fields in a fixed order, so buyer and
 * seller can recompute its SHA-256 from their own records and check the inclusion proof.
 */
export function settlementDocument(t: Trade): string {
  return JSON.stringify({
    v: 1,
    trade: t.id,
    listing: t.listingId,
    buyer: t.buyerId,
    buyerOrg: t.buyerOrg,
    seller: t.sellerId,
    sellerOrg: t.sellerOrg,
    price: t.price,
    quantity: t.quantity,
    amount: t.amount,
    grant: t.grantId,
    accessFrom: t.accessFrom,
    accessUntil: t.accessUntil,
    at: t.createdAt,
  });
}

export const settlementHash = (t: Trade): string => sha256Hex(settlementDocument(t));

export interface SettleInput {
  listing: Listing;
  buyer: Owner;
  seller: Owner;
  price: number;
  quantity: number;
  bidId: string | null;
  askId: string | null;
  /** Where the buyer's tokens come from: the escrow of a resting or incoming bid, or the wallet (buy-now). */
  payFrom: 'escrow' | 'wallet';
  idemKey?: string;
}

/**
 * One trade, inside the caller's transaction: the tokens move to the seller, the buyer gets a
 * READ grant on the listed resource until the paid time ends (extending any access still
 * running), and the trade row records both. All or nothing.
 */
export async function settle(
  trx: Transaction<MarketTables>,
  deps: { wallets: Wallets; grants: GrantStore; clock: Clock },
  s: SettleInput,
): Promise<Trade> {
  const now = deps.clock.now();
  const amount = costOf(s.price, s.quantity);
  const id = newId('trade');
  await deps.wallets.open(s.seller, trx);
  await deps.wallets.post(trx, {
    kind: 'settle',
    actorId: s.buyer.id,
    memo: `trade ${id}`,
    entries: [
      { account: s.payFrom === 'escrow' ? escrowOf(s.buyer.id) : walletOf(s.buyer.id), amount: -amount },
      { account: walletOf(s.seller.id), amount },
    ],
  });
  const running = await trx
    .selectFrom('market_trades')
    .select((eb) => eb.fn.max<number>('access_until').as('until'))
    .where('buyer_id', '=', s.buyer.id)
    .where('listing_id', '=', s.listing.id)
    .where('access_until', '>', now)
    .executeTakeFirst();
  const base = Math.max(now, Number(running?.until ?? 0));
  const accessUntil = base + s.quantity * s.listing.terms.periodSeconds * 1000;
  const grant = await deps.grants.createIn<MarketTables>(trx, {
    org: s.listing.providerOrg,
    principalId: s.buyer.id,
    role: null,
    granteeOrg: null,
    provider: s.listing.provider,
    service: s.listing.service,
    resource: s.listing.resource,
    access: 'READ',
    effect: 'allow',
    priority: 0,
    createdBy: `market:${id}`,
    expiresAt: accessUntil,
    // The listing's precision and aggregation travel with the grant; the hub applies them on delivery.
    terms: grantTermsOf(s.listing),
  });
  const trade: Trade = {
    id,
    class: s.listing.class,
    listingId: s.listing.id,
    bidId: s.bidId,
    askId: s.askId,
    buyerId: s.buyer.id,
    buyerOrg: s.buyer.org,
    sellerId: s.seller.id,
    sellerOrg: s.seller.org,
    price: s.price,
    quantity: s.quantity,
    amount,
    grantId: grant.id,
    accessFrom: now,
    accessUntil,
    refunded: 0,
    ledgerIndex: null,
    createdAt: now,
    grant,
  };
  await trx
    .insertInto('market_trades')
    .values({
      id,
      class: trade.class,
      listing_id: trade.listingId,
      bid_id: trade.bidId,
      ask_id: trade.askId,
      buyer_id: trade.buyerId,
      buyer_org: trade.buyerOrg,
      seller_id: trade.sellerId,
      seller_org: trade.sellerOrg,
      price: trade.price,
      quantity: trade.quantity,
      amount,
      grant_id: grant.id,
      access_from: now,
      access_until: accessUntil,
      refunded: 0,
      ledger_index: null,
      idem_key: s.idemKey ?? null,
      created_at: now,
    })
    .execute();
  return trade;
}

/** The delivery terms a listing's buyers get: its decimals and window aggregate, if any. */
export function grantTermsOf(l: Pick<Listing, 'terms'>): GrantTerms | null {
  const { decimals, aggregate } = l.terms;
  if (decimals === undefined && !aggregate) return null;
  return { ...(decimals !== undefined ? { decimals } : {}), ...(aggregate ? { aggregate } : {}) };
}
