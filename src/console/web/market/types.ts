/** What the market's routes answer (src/market), as the console reads them. Amounts are minor units. */
export interface Listing {
  id: string;
  ownerId: string;
  providerOrg: string;
  class: string;
  kind: 'live' | 'history' | 'aggregate' | 'service';
  provider: string;
  service: string;
  resource: string;
  terms: {
    pricing: 'per-period' | 'per-message';
    price: number;
    periodSeconds: number;
    promisedMessagesPerPeriod?: number;
    licence: string;
    description?: string;
  };
  status: 'open' | 'closed';
  createdAt: number;
}

/** GET /market/book/:class: [price, quantity] per level, best first. */
export interface Depth {
  class: string;
  bids: [number, number][];
  asks: [number, number][];
}

export interface Trade {
  id: string;
  class: string;
  listingId: string;
  buyerId: string;
  buyerOrg: string;
  sellerOrg: string;
  price: number;
  quantity: number;
  amount: number;
  ledgerIndex: number | null;
  createdAt: number;
}

/** A trade as the stream pushes it (every trade on the market, not only the caller's). */
export interface TapeTrade {
  id: string;
  class: string;
  listingId: string;
  price: number;
  quantity: number;
  at: number;
}

export interface Wallet {
  principalId: string;
  available: number;
  escrow: number;
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

export interface Ranking {
  provider: string;
  score: number;
  low: number;
  high: number;
  evidence: number;
  rank: number;
}

export const MINOR_UNITS = 1_000_000;

/** Minor units as MSEC with up to six decimals ("2 MSEC", "0.5 MSEC", "-1.25 MSEC"). */
export function msec(minor: number): string {
  return `${(minor / MINOR_UNITS).toLocaleString('en', { maximumFractionDigits: 6 })} MSEC`;
}

/** "3600 s" as "1 h", "86400 s" as "1 d" and so on. */
export function period(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * The depth chart's series: every price of either side in ascending order, the bids' cumulative
 * quantity (what would buy at that price or more) up to the best bid, the asks' (what would sell
 * at that price or less) from the best ask; null where a side has nothing.
 */
export function cumulativeDepth(d: Pick<Depth, 'bids' | 'asks'>): {
  prices: number[];
  bids: (number | null)[];
  asks: (number | null)[];
} {
  const prices = [...new Set([...d.bids.map((l) => l[0]), ...d.asks.map((l) => l[0])])].sort((a, b) => a - b);
  const bids = prices.map((p) => {
    const q = d.bids.filter((l) => l[0] >= p).reduce((s, l) => s + l[1], 0);
    return d.bids.length > 0 && p <= Math.max(...d.bids.map((l) => l[0])) ? q : null;
  });
  const asks = prices.map((p) => {
    const q = d.asks.filter((l) => l[0] <= p).reduce((s, l) => s + l[1], 0);
    return d.asks.length > 0 && p >= Math.min(...d.asks.map((l) => l[0])) ? q : null;
  });
  return { prices, bids, asks };
}
