import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import Type, { type Static } from 'typebox';
import { MsecError, securitySubject, type EventBus } from '../core/index.ts';
import * as R from './replies.ts';
import type { Iam } from '../iam/index.ts';
import { NewListingSchema } from './listings.ts';
import type { Market } from './market.ts';
import { settlementDocument } from './settlement.ts';

const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
const ClassParams = Type.Object(
  { class: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
const OrderBody = Type.Object(
  {
    listingId: Type.Optional(Id),
    class: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    side: Type.Union([Type.Literal('bid'), Type.Literal('ask')]),
    type: Type.Optional(Type.Union([Type.Literal('limit'), Type.Literal('market')])),
    price: Type.Optional(Type.Number()),
    quantity: Type.Number(),
    ttlSeconds: Type.Optional(Type.Number()),
    idempotencyKey: IdemKey,
  },
  { additionalProperties: false },
);
const BuyBody = Type.Object({ quantity: Type.Number(), idempotencyKey: IdemKey }, { additionalProperties: false });
const RateBody = Type.Object({ score: Type.Number() }, { additionalProperties: false });
const ListingQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
    class: Type.Optional(Type.String({ maxLength: 128 })),
    provider: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
const OrdersQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('open'), Type.Literal('filled'), Type.Literal('cancelled'), Type.Literal('expired')]),
    ),
  },
  { additionalProperties: false },
);

const TapeQuery = Type.Object(
  {
    class: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

import { Id, IdemKey, orgWide, owner, self, tags } from './route-access.ts';
import { rankingRoutes } from './ranking-routes.ts';
import { walletRoutes } from './wallet-routes.ts';

/** Refusals that look like manipulation, reported as security events for the monitor. */
const MANIPULATION: Record<string, 'wash-trade-refused' | 'rating-refused'> = {
  MARKET_SELF_TRADE: 'wash-trade-refused',
  MARKET_OWN_LISTING: 'wash-trade-refused',
  MARKET_SAME_ORG_RATING: 'rating-refused',
  MARKET_ALREADY_RATED: 'rating-refused',
};

export async function marketRoutes(app: FastifyInstance, market: Market, iam: () => Iam, bus: EventBus): Promise<void> {
  app.addHook('onError', async (req, _reply, err) => {
    const kind = err instanceof MsecError ? MANIPULATION[err.code] : undefined;
    if (!kind || !req.url.includes('/market/')) return;
    void bus
      .publish(securitySubject('market', kind), {
        code: (err as MsecError).code,
        actor: req.subject?.id ?? null,
        org: req.subject?.org ?? null,
        route: req.routeOptions.url ?? null,
        at: Date.now(),
      })
      .catch(() => undefined);
  });

  app.get<{ Querystring: Static<typeof ListingQuery> }>(
    '/market/listings',
    {
      config: orgWide('market:listing:read'),
      schema: {
        tags,
        summary: 'Listings of hub resources and services',
        querystring: ListingQuery,
        response: { 200: R.Listings },
      },
    },
    async (req) => ({
      items: await market.listings.list({
        ...(req.query.status ? { status: req.query.status } : {}),
        ...(req.query.class ? { class: req.query.class } : {}),
        ...(req.query.provider ? { providerOrg: req.query.provider } : {}),
      }),
    }),
  );

  app.post<{ Body: Static<typeof NewListingSchema> }>(
    '/market/listings',
    {
      config: orgWide('market:listing:create'),
      schema: {
        tags,
        summary: 'List a hub resource your organisation owns, with terms',
        body: NewListingSchema,
        response: { 201: R.Listing, ...R.marketErrors },
      },
    },
    async (req, reply) => {
      const l = await market.listings.create(owner(req), req.body);
      req.auditNote = { resource: `listing id=${l.id} class=${l.class}` };
      reply.status(201);
      return l;
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/market/listings/:id/close',
    {
      config: orgWide('market:listing:read'),
      schema: {
        tags,
        summary: 'Close a listing (no new orders)',
        params: IdParams,
        response: { 200: R.Listing, ...R.marketErrors },
      },
    },
    async (req) => {
      const l = await market.listings.require(req.params.id);
      req.authorize('market:listing:close', { type: 'listing', org: l.providerOrg, id: l.id });
      await market.exchange.closeListing(l);
      return market.listings.require(l.id);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof BuyBody> }>(
    '/market/listings/:id/buy',
    {
      config: self('market:order:create'),
      schema: {
        tags,
        summary: "Buy now at the listing's fixed price (quantity = periods of access)",
        response: { 200: R.Placed, 201: R.Placed, ...R.marketErrors },
        params: IdParams,
        body: BuyBody,
      },
    },
    async (req, reply) => {
      const r = await market.exchange.buyNow(owner(req), req.params.id, req.body.quantity, req.body.idempotencyKey);
      reply.status(r.replayed ? 200 : 201);
      return r;
    },
  );

  app.get<{ Params: Static<typeof ClassParams> }>(
    '/market/book/:class',
    {
      config: orgWide('market:book:read'),
      schema: { tags, summary: 'Order book depth of a listing class', params: ClassParams, response: { 200: R.Book } },
    },
    async (req) => ({ class: req.params.class, ...market.exchange.book(req.params.class).depth() }),
  );

  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  app.get<{ Querystring: { class?: string } }>(
    '/market/stream',
    {
      config: orgWide('market:book:read'),
      schema: {
        tags,
        summary:
          'Server-sent events: `book` (depth of a class after each change) and `trade` (every settled trade, price and quantity)',
        response: { 200: R.TradeStream },
        querystring: Type.Object(
          { class: Type.Optional(Type.String({ maxLength: 128 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const only = req.query.class;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
      });
      res.write(': market stream\n\n');
      open.add(res);
      const onBook = (cls: string, depth: unknown) => {
        if (only === undefined || only === cls)
          res.write(`event: book\ndata: ${JSON.stringify({ class: cls, ...(depth as object) })}\n\n`);
      };
      const onTrade = (t: {
        class: string;
        id: string;
        listingId: string;
        price: number;
        quantity: number;
        createdAt: number;
      }) => {
        if (only === undefined || only === t.class)
          res.write(
            `event: trade\nid: ${t.id}\ndata: ${JSON.stringify({ id: t.id, class: t.class, listingId: t.listingId, price: t.price, quantity: t.quantity, at: t.createdAt })}\n\n`,
          );
      };
      market.exchange.events.on('book', onBook);
      market.exchange.events.on('trade', onTrade);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      res.on('close', () => {
        market.exchange.events.off('book', onBook);
        market.exchange.events.off('trade', onTrade);
        clearInterval(ping);
        open.delete(res);
      });
    },
  );

  app.post<{ Body: Static<typeof OrderBody> }>(
    '/market/orders',
    {
      config: self('market:order:create'),
      schema: {
        tags,
        summary: 'Place a limit or market order (bid or ask) in a listing class',
        body: OrderBody,
        response: { 200: R.Placed, 201: R.Placed, ...R.marketErrors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const r = await market.exchange.place(owner(req), {
        ...b,
        type: b.type ?? (b.price === undefined ? 'market' : 'limit'),
      });
      reply.status(r.replayed ? 200 : 201);
      return r;
    },
  );

  app.get<{ Querystring: Static<typeof OrdersQuery> }>(
    '/market/orders',
    {
      config: self('market:order:read'),
      schema: { tags, summary: 'Your orders', querystring: OrdersQuery, response: { 200: R.Orders } },
    },
    async (req) => ({ items: await market.exchange.orders(req.subject!.id, req.query.status) }),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/market/orders/:id',
    {
      config: self('market:order:cancel'),
      schema: {
        tags,
        summary: "Cancel an open order (a bid's escrow returns to the wallet)",
        params: IdParams,
        response: { 200: R.Order, ...R.marketErrors },
      },
    },
    async (req) =>
      market.exchange.cancel(owner(req), req.params.id, (o) => {
        if (o.ownerId !== req.subject!.id) throw new MsecError('MARKET_ORDER_NOT_FOUND', `order ${o.id} not found`);
      }),
  );

  app.get(
    '/market/trades',
    {
      config: self('market:trade:read'),
      schema: { tags, summary: 'Trades you bought, and those your organisation sold', response: { 200: R.Trades } },
    },
    async (req) => {
      const rows = await market.wallets.db
        .selectFrom('market_trades')
        .select('id')
        .where((eb) => eb.or([eb('buyer_id', '=', req.subject!.id), eb('seller_org', '=', req.subject!.org)]))
        .orderBy('created_at', 'desc')
        .limit(500)
        .execute();
      return { items: await Promise.all(rows.map((r) => market.trust.trade(r.id))) };
    },
  );

  // The public tape: what the stream's `trade` events carry (no party), for a page opened after them.
  app.get<{ Querystring: Static<typeof TapeQuery> }>(
    '/market/tape',
    {
      config: orgWide('market:book:read'),
      schema: {
        tags,
        summary: 'Recent trades on the whole market, newest first: class, price, quantity and time (no party)',
        querystring: TapeQuery,
        response: { 200: R.Tape },
      },
    },
    async (req) => {
      let q = market.wallets.db
        .selectFrom('market_trades')
        .select(['id', 'class', 'listing_id', 'price', 'quantity', 'created_at'])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(req.query.limit ?? 50);
      if (req.query.class) q = q.where('class', '=', req.query.class);
      const rows = await q.execute();
      return {
        items: rows.map((r) => ({
          id: r.id,
          class: r.class,
          listingId: r.listing_id,
          price: Number(r.price),
          quantity: Number(r.quantity),
          at: Number(r.created_at),
        })),
      };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/market/trades/:id/proof',
    {
      config: self('market:trade:read'),
      schema: {
        tags,
        summary: 'The settlement document (its SHA-256 is the ledger entry) and its inclusion proof',
        response: { 200: R.TradeProof, ...R.marketErrors },
        params: IdParams,
      },
    },
    async (req) => {
      const t = await market.trust.trade(req.params.id);
      if (t.buyerId !== req.subject!.id && t.sellerOrg !== req.subject!.org)
        throw new MsecError('MARKET_NOT_A_PARTY', "only the parties see a trade's proof");
      if (t.ledgerIndex === null)
        throw new MsecError('UNAVAILABLE', 'the settlement is not on the ledger yet; retry shortly');
      return {
        trade: t,
        document: settlementDocument(t),
        ledgerIndex: t.ledgerIndex,
        ...(await market.ledgerProof(t.ledgerIndex)),
      };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RateBody> }>(
    '/market/trades/:id/rating',
    {
      config: self('market:trade:rate'),
      schema: {
        tags,
        summary: 'Score a trade you bought, once (1-5)',
        params: IdParams,
        body: RateBody,
        response: { 201: R.Rating, ...R.marketErrors },
      },
    },
    async (req, reply) => {
      const r = await market.trust.rate(owner(req), req.params.id, req.body.score);
      reply.status(201);
      return r;
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/market/trades/:id/refund',
    {
      config: self('market:trade:refund'),
      schema: {
        tags,
        summary: 'Claim the pro-rata refund of undelivered messages once access ended',
        response: { 200: R.Refund, ...R.marketErrors },
        params: IdParams,
      },
    },
    async (req) => market.trust.refund(owner(req), req.params.id),
  );

  await walletRoutes(app, market, iam);
  await rankingRoutes(app, market);
}
