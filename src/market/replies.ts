/**
 * What the market routes answer (their `schema.response`; Fastify serialises with these). The
 * market's records are declared open: their known fields are named, later ones are kept.
 */
import Type from 'typebox';
import { errorReplies, openObject } from '../core/index.ts';

const Record = (description: string) => openObject({ id: Type.String() }, { description });
const List = (item: Type.TSchema) => Type.Object({ items: Type.Array(item) });

export const Listing = Record('a listing: class, provider organisation, terms, status');
export const Listings = List(Listing);
export const Order = Record('an order (bid or ask) and its fills');
export const Orders = List(Order);
/** buy, order and mint answer 201 when new and 200 when an idempotency key replays them. */
export const Placed = openObject({ replayed: Type.Optional(Type.Boolean()) }, { description: 'the result' });
export const Book = openObject({ class: Type.String() }, { description: 'depth of the order book of a class' });
export const Trade = Record('a settled trade');
export const Trades = List(Trade);
export const Tape = List(
  Type.Object(
    {
      id: Type.String(),
      class: Type.String(),
      listingId: Type.String(),
      price: Type.Integer(),
      quantity: Type.Integer(),
      at: Type.Integer(),
    },
    { description: 'a trade on the tape: no buyer or seller' },
  ),
);
export const TradeProof = openObject({
  trade: Trade,
  document: Type.Unknown({ description: 'the settlement document (its SHA-256 is the ledger entry)' }),
  ledgerIndex: Type.Integer(),
});
export const Rating = openObject({}, { description: 'the recorded score' });
export const Refund = openObject({}, { description: 'the refund paid' });
export const Wallet = openObject({ principalId: Type.String() }, { description: 'balances in minor units' });
export const Statement = List(openObject({}, { description: 'a wallet entry' }));
export const Invariants = openObject({}, { description: 'the books check' });
const Ranking = openObject({ provider: Type.String() }, { description: 'score, 95 % interval, evidence, rank' });
export const Rankings = List(Ranking);
export { Ranking };
const OriginalRanking = Type.Object({ providerId: Type.String(), ranking: Type.Number() });
export const OriginalRankings = Type.Array(OriginalRanking);
export { OriginalRanking };
export const TradeStream = {
  description: 'server-sent events: `book` (depth of a class after each change) and `trade`',
  content: { 'text/event-stream': { schema: Type.String() } },
};

export const marketErrors = errorReplies({
  404: 'MARKET_*_NOT_FOUND',
  409: 'MARKET_INSUFFICIENT_FUNDS / _LISTING_CLOSED / _SELF_TRADE / _NO_LIQUIDITY / _IDEMPOTENCY_CONFLICT / …',
});
