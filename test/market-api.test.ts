import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_TWINS } from '../src/hub/index.ts';
import { ledgerModule } from '../src/ledger/index.ts';
import { MARKET, marketModule } from '../src/market/index.ts';
import { startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';

const MSEC = 1_000_000;

describe('market API: real-time stream, agents with API keys, and fuzzed bodies', () => {
  let t: HubTestPlatform;
  let admin: string;
  let seller: { key: string; id: string };
  let agent: { key: string; id: string };
  let listingId: string;

  beforeAll(async () => {
    t = await startHubPlatform({ alsoModules: [ledgerModule(), marketModule()] });
    admin = await t.adminToken();
    seller = await t.principal('santander', 'santander-market', ['provider']);
    agent = await t.principal('buyer', 'trading-agent', ['consumer']);
    await t.platform.ctx.services
      .get(HUB_TWINS)
      .defineResource({ provider: 'parking-3', service: 'parking', resource: 'occupancy' }, 'santander', 'sensor', {});
    await t.request('POST', '/api/v1/market/mint', {
      token: admin,
      body: { principalId: agent.id, amount: 100 * MSEC },
    });
    const l = await t.request('POST', '/api/v1/market/listings', {
      headers: { 'x-api-key': seller.key },
      body: {
        kind: 'live',
        provider: 'parking-3',
        service: 'parking',
        resource: 'occupancy',
        class: 'santander-parking',
        terms: { pricing: 'per-period', price: 3 * MSEC, periodSeconds: 600, licence: 'CC-BY-4.0' },
      },
    });
    listingId = l.json().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('pushes book changes and trades over server-sent events as an agent trades with its API key', async () => {
    const ac = new AbortController();
    const res = await fetch(new URL('/api/v1/market/stream?class=santander-parking', t.platform.url), {
      headers: { 'x-api-key': agent.key },
      signal: ac.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const until = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(text); i++) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString();
      }
      return re.test(text);
    };
    expect(await until(/: market stream/)).toBe(true);
    const api = (key: string, body: unknown) =>
      t.request('POST', '/api/v1/market/orders', { headers: { 'x-api-key': key }, body });
    expect((await api(seller.key, { listingId, side: 'ask', price: 2 * MSEC, quantity: 3 })).statusCode).toBe(201);
    expect(await until(/event: book\ndata: \{"class":"santander-parking","bids":\[\],"asks":\[\[2000000,3\]\]\}/)).toBe(
      true,
    );
    const bid = await api(agent.key, { class: 'santander-parking', side: 'bid', quantity: 2 });
    expect(bid.statusCode).toBe(201);
    expect(bid.json().trades).toHaveLength(1);
    expect(await until(/event: trade\nid: \S+\ndata: \{[^\n]*"price":2000000,"quantity":2/)).toBe(true);
    expect(await until(/"asks":\[\[2000000,1\]\]/)).toBe(true);
    ac.abort();
    await reader.cancel().catch(() => undefined);
  });

  it('answers any malformed order, listing or rating body with a 4xx error shape, and the books stay whole', async () => {
    const market = t.platform.ctx.services.get(MARKET);
    const before = await market.wallets.balances(agent.id);
    const anyValue = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.string({ maxLength: 12 }),
      fc.constant(null),
      fc.boolean(),
      fc.constant(-1),
      fc.constant(0),
      fc.constant(1e300),
    );
    const orderBody = fc.record(
      {
        listingId: fc.oneof(fc.constant(listingId), fc.string({ maxLength: 10 })),
        side: fc.oneof(fc.constantFrom('bid', 'ask'), fc.string({ maxLength: 4 })),
        type: fc.oneof(fc.constantFrom('limit', 'market'), anyValue),
        price: anyValue,
        quantity: anyValue,
        ttlSeconds: anyValue,
        extra: anyValue,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          orderBody.map((b) => ['/api/v1/market/orders', b] as const),
          fc.dictionary(fc.string({ maxLength: 8 }), anyValue).map((b) => ['/api/v1/market/listings', b] as const),
          fc.record({ score: anyValue }).map((b) => ['/api/v1/market/trades/trade_x/rating', b] as const),
          fc.record({ quantity: anyValue }).map((b) => [`/api/v1/market/listings/${listingId}/buy`, b] as const),
        ),
        async ([url, body]) => {
          // Only well-formed requests may succeed; buy-now with a valid quantity is one, so skip counting it.
          const res = await t.request('POST', url, { headers: { 'x-api-key': agent.key }, body });
          if (res.statusCode < 300) return;
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
          expect(res.statusCode).toBeLessThan(500);
          expect(typeof res.json().error.code).toBe('string');
        },
      ),
      { numRuns: 120 },
    );
    const inv = await market.invariants();
    expect(inv.held).toBe(inv.supply);
    expect(inv.lowest).toBeGreaterThanOrEqual(0);
    expect(inv.unbackedGrants).toBe(0);
    const after = await market.wallets.balances(agent.id);
    expect(after.available + after.escrow).toBeLessThanOrEqual(before.available + before.escrow);
  });

  it('closes a listing for its own organisation only; a closed listing takes no orders', async () => {
    const other = await t.principal('fujisawa', 'fujisawa-market', ['provider']);
    // A resting ask of the listing leaves the book with it.
    const ask = await t.request('POST', '/api/v1/market/orders', {
      headers: { 'x-api-key': seller.key },
      body: { listingId, side: 'ask', price: 9 * MSEC, quantity: 1 },
    });
    expect(ask.json().order.status).toBe('open');
    expect(
      (await t.request('POST', `/api/v1/market/listings/${listingId}/close`, { headers: { 'x-api-key': other.key } }))
        .statusCode,
    ).toBe(403);
    const closed = await t.request('POST', `/api/v1/market/listings/${listingId}/close`, {
      headers: { 'x-api-key': seller.key },
    });
    expect(closed.json()).toMatchObject({ id: listingId, status: 'closed' });
    const buy = await t.request('POST', `/api/v1/market/listings/${listingId}/buy`, {
      headers: { 'x-api-key': agent.key },
      body: { quantity: 1 },
    });
    expect(buy.json().error.code).toBe('MARKET_LISTING_CLOSED');
    const bid = await t.request('POST', '/api/v1/market/orders', {
      headers: { 'x-api-key': agent.key },
      body: { listingId, side: 'bid', price: MSEC, quantity: 1 },
    });
    expect(bid.json().error.code).toBe('MARKET_LISTING_CLOSED');
    const book = (
      await t.request('GET', '/api/v1/market/book/santander-parking', { headers: { 'x-api-key': agent.key } })
    ).json();
    expect(book.asks.some(([price]: [number]) => price === 9 * MSEC)).toBe(false);
    const sellerOrders = (
      await t.request('GET', '/api/v1/market/orders', { headers: { 'x-api-key': seller.key } })
    ).json().items as Array<{ id: string; status: string }>;
    expect(sellerOrders.find((o) => o.id === ask.json().order.id)?.status).toBe('cancelled');
  });
});
