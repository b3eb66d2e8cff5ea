import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicKey } from 'node:crypto';
import { ledgerModule, verifyProofBundle } from '../src/ledger/index.ts';
import { MARKET, marketModule } from '../src/market/index.ts';
import { SimDevice } from './helpers/hub-devices.ts';
import { connectMqtt, runTool, startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';
import { waitFor } from './helpers/net.ts';

const MSEC = 1_000_000;

/** Done-when: a buyer buys a Santander stream, receives it over MQTT until the grant expires, then is refused. */
describe('market: buy a Santander stream, receive it until the grant expires', () => {
  let t: HubTestPlatform;
  let device: SimDevice;
  let admin: string;
  let seller: { key: string; id: string };
  let buyer: { key: string; id: string };
  let stranger: { key: string; id: string };
  let shift = 0;
  const clock = { now: () => Date.now() + shift };
  let listingId: string;
  let tradeId: string;

  beforeAll(async () => {
    t = await startHubPlatform({ clock, alsoModules: [ledgerModule(), marketModule({ sweepMs: 100 })] });
    admin = await t.adminToken();
    seller = await t.principal('santander', 'santander-market', ['provider']);
    buyer = await t.principal('buyer', 'buyer-app', ['consumer']);
    stranger = await t.principal('other', 'other-app', ['consumer']);
    device = await SimDevice.create(t, 'air-1', 'santander');
    await publish([20]);
    await waitFor(
      async () =>
        (await t.request('GET', '/api/v1/providers/air-1/services/weather/resources/temperature', { token: admin }))
          .statusCode === 200,
      10_000,
      'twin',
    );
  });
  afterAll(async () => {
    await device?.close();
    await t?.close();
  });

  async function publish(values: number[]): Promise<void> {
    const c = await connectMqtt(t.mqttPort, device.id, await device.credential(), device.id);
    for (const v of values)
      await c.publishAsync(
        `devices/${device.id}/readings`,
        Buffer.from(await device.reading(`${device.id}/weather/temperature`, v, clock.now(), 'C')),
        { qos: 1 },
      );
    await c.endAsync();
  }
  const api = (method: string, url: string, key: string, body?: unknown) =>
    t.request(method, `/api/v1${url}`, { headers: { 'x-api-key': key }, ...(body !== undefined ? { body } : {}) });

  it('mints only for the market operator, and lists only what the provider owns', async () => {
    expect(
      (await api('POST', '/market/mint', buyer.key, { principalId: buyer.id, amount: 10 * MSEC })).statusCode,
    ).toBe(403);
    const minted = await t.request('POST', '/api/v1/market/mint', {
      token: admin,
      body: { principalId: buyer.id, amount: 50 * MSEC, idempotencyKey: 'm1' },
    });
    expect(minted.statusCode).toBe(201);
    const again = await t.request('POST', '/api/v1/market/mint', {
      token: admin,
      body: { principalId: buyer.id, amount: 50 * MSEC, idempotencyKey: 'm1' },
    });
    expect(again.statusCode).toBe(200);
    expect((await api('GET', '/market/wallet', buyer.key)).json()).toMatchObject({ available: 50 * MSEC, escrow: 0 });

    const terms = {
      pricing: 'per-period',
      price: 2 * MSEC,
      periodSeconds: 60,
      promisedMessagesPerPeriod: 1000,
      licence: 'CC-BY-4.0',
    };
    const foreign = await api('POST', '/market/listings', stranger.key, {
      kind: 'live',
      provider: 'air-1',
      service: 'weather',
      resource: 'temperature',
      terms,
    });
    expect(foreign.statusCode).toBe(403);
    const other = await t.principal('fujisawa', 'fujisawa-market', ['provider']);
    const notOwned = await api('POST', '/market/listings', other.key, {
      kind: 'live',
      provider: 'air-1',
      service: 'weather',
      resource: 'temperature',
      terms,
    });
    expect(notOwned.json().error.code).toBe('MARKET_NOT_RESOURCE_OWNER');
    const absent = await api('POST', '/market/listings', seller.key, {
      kind: 'live',
      provider: 'air-1',
      service: 'weather',
      resource: 'nothing',
      terms,
    });
    expect(absent.json().error.code).toBe('MARKET_RESOURCE_NOT_FOUND');
    const res = await api('POST', '/market/listings', seller.key, {
      kind: 'live',
      provider: 'air-1',
      service: 'weather',
      resource: 'temperature',
      terms,
    });
    expect(res.statusCode).toBe(201);
    listingId = res.json().id;
  });

  it('a buyer buys once (a retry does not pay twice), then mosquitto_sub with its key receives the stream', async () => {
    const events: Array<{ subject: string; code: string; actor: string }> = [];
    const off = t.platform.ctx.bus.subscribe(
      'security.market.>',
      (e) => void events.push({ subject: e.subject, ...(e.data as { code: string; actor: string }) }),
    );
    const own = await api('POST', `/market/listings/${listingId}/buy`, seller.key, { quantity: 1 });
    expect(own.json().error.code).toBe('MARKET_OWN_LISTING');
    await waitFor(async () => events.length > 0, 5000, 'security event');
    expect(events[0]).toMatchObject({
      subject: 'security.market.wash-trade-refused',
      code: 'MARKET_OWN_LISTING',
      actor: seller.id,
    });
    off();
    for (const bad of [0, -1, 1.5, 1e12])
      expect(
        (await api('POST', `/market/listings/${listingId}/buy`, buyer.key, { quantity: bad })).json().error.code,
      ).toBe('MARKET_AMOUNT_INVALID');
    const [a, b] = await Promise.all(
      [1, 2].map(() =>
        api('POST', `/market/listings/${listingId}/buy`, buyer.key, { quantity: 1, idempotencyKey: 'buy-1' }),
      ),
    );
    expect(a!.json().trade.id).toBe(b!.json().trade.id);
    tradeId = a!.json().trade.id;
    expect((await api('GET', '/market/wallet', buyer.key)).json()).toMatchObject({ available: 48 * MSEC, escrow: 0 });
    expect((await api('GET', '/market/wallet', seller.key)).json()).toMatchObject({ available: 2 * MSEC });

    const sub = runTool(
      'mosquitto_sub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(t.mqttPort),
        '-u',
        'buyer',
        '-P',
        buyer.key,
        '-t',
        'data/santander/air-1/weather/temperature',
        '-C',
        '1',
        '-W',
        '20',
        '-q',
        '1',
        '-V',
        'mqttv311',
      ],
      25_000,
    );
    // Publish until the subscriber (connected at some point) has one message.
    let done = false;
    void sub.then(() => (done = true));
    for (let i = 0; i < 40 && !done; i++) {
      await publish([21 + i]);
      await new Promise((r) => setTimeout(r, 250));
    }
    const got = await sub;
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout.trim().split('\n')[0]!)).toMatchObject({ provider: 'air-1', signature: 'verified' });
  });

  it('once the paid time is over the grant no longer applies: mosquitto_sub is refused (also after the sweep removed it)', async () => {
    shift += 61_000;
    const refused = await runTool(
      'mosquitto_sub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(t.mqttPort),
        '-u',
        'buyer',
        '-P',
        buyer.key,
        '-t',
        'data/santander/air-1/weather/temperature',
        '-C',
        '1',
        '-W',
        '3',
        '-V',
        'mqttv311',
      ],
      8000,
    );
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/denied/i);
    const http = await api('GET', '/market/invariants', buyer.key);
    expect(http.statusCode).toBe(403);
    // Another organisation's twin the buyer may no longer read answers exactly as a missing one.
    expect((await api('GET', '/providers/air-1/services/weather/resources/temperature', buyer.key)).statusCode).toBe(
      404,
    );
    await waitFor(
      async () =>
        (await t.request('GET', '/api/v1/access-rules', { token: admin }))
          .json()
          .items?.every((g: { createdBy: string }) => !g.createdBy.startsWith('market:')) ?? false,
      10_000,
      'expired grant removed',
    );
  });

  it("both wallets and the ledger show the trade: a checkable settlement entry and the day's totals", async () => {
    const buyerStatement = (await api('GET', '/market/wallet/statement', buyer.key)).json().items as Array<{
      kind: string;
      amount: number;
    }>;
    expect(buyerStatement.filter((l) => l.kind === 'settle').map((l) => l.amount)).toEqual([-2 * MSEC]);
    const sellerStatement = (await api('GET', '/market/wallet/statement', seller.key)).json().items as Array<{
      kind: string;
      amount: number;
    }>;
    expect(sellerStatement.filter((l) => l.kind === 'settle').map((l) => l.amount)).toEqual([2 * MSEC]);
    await waitFor(
      async () => (await api('GET', `/market/trades/${tradeId}/proof`, buyer.key)).statusCode === 200,
      10_000,
      'settlement on the ledger',
    );
    const proof = (await api('GET', `/market/trades/${tradeId}/proof`, seller.key)).json();
    const hash = createHash('sha256').update(proof.document).digest('hex');
    const entry = (await t.request('GET', `/api/v1/ledger/entries/${proof.ledgerIndex}`, { token: admin })).json();
    expect(entry).toMatchObject({ kind: 'market.settlement', dataHash: hash });
    expect(JSON.parse(proof.document)).toMatchObject({
      trade: tradeId,
      buyer: buyer.id,
      sellerOrg: 'santander',
      amount: 2 * MSEC,
    });
    // The seller checks the bundle against the log's public key on its own.
    const pem = (await t.request('GET', '/api/v1/ledger/public-key')).json().publicKeyPem as string;
    const checked = verifyProofBundle(
      { entry: proof.entry, proof: proof.proof, checkpoint: proof.checkpoint },
      createPublicKey(pem),
    );
    expect(checked.entry).toMatchObject({ index: proof.ledgerIndex, kind: 'market.settlement', dataHash: hash });
    expect((await api('GET', `/market/trades/${tradeId}/proof`, stranger.key)).json().error.code).toBe(
      'MARKET_NOT_A_PARTY',
    );
    const market = t.platform.ctx.services.get(MARKET);
    const day = new Date(clock.now()).toISOString().slice(0, 10);
    const index = await market.logDay(day);
    expect((await t.request('GET', `/api/v1/ledger/entries/${index}`, { token: admin })).json().kind).toBe(
      'market.daily-totals',
    );
    expect(await market.dailyTotals(day)).toMatchObject({ trades: 1, volume: 2 * MSEC, supply: 50 * MSEC });
    const inv = (await t.request('GET', '/api/v1/market/invariants', { token: admin })).json();
    expect(inv).toMatchObject({ supply: 50 * MSEC, held: 50 * MSEC, unbalancedTransfers: 0, unbackedGrants: 0 });
    expect(inv.lowest).toBeGreaterThanOrEqual(0);
  });

  it('the buyer rates once; others cannot; rankings show the provider with an interval', async () => {
    expect((await api('POST', `/market/trades/${tradeId}/rating`, stranger.key, { score: 1 })).json().error.code).toBe(
      'MARKET_NOT_A_PARTY',
    );
    expect((await api('POST', `/market/trades/${tradeId}/rating`, buyer.key, { score: 6 })).statusCode).toBe(400);
    // Two ratings racing: exactly one counts.
    const both = await Promise.all(
      [5, 1].map((score) => api('POST', `/market/trades/${tradeId}/rating`, buyer.key, { score })),
    );
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const r = both.find((x) => x.statusCode === 201)!;
    expect(r.json().delivered).toBeGreaterThan(0);
    expect(both.find((x) => x.statusCode === 409)!.json().error.code).toBe('MARKET_ALREADY_RATED');
    expect((await api('POST', `/market/trades/${tradeId}/rating`, buyer.key, { score: 5 })).json().error.code).toBe(
      'MARKET_ALREADY_RATED',
    );
    const one = (await api('GET', '/market/rankings/santander', stranger.key)).json();
    expect(one.low).toBeLessThanOrEqual(one.score);
    expect(one.score).toBeLessThanOrEqual(one.high);
    expect(one.evidence).toBeGreaterThanOrEqual(1);
    const original = (await api('GET', '/market/getRankingAll', stranger.key)).json() as Array<{
      providerId: string;
      ranking: number;
    }>;
    expect(original.find((p) => p.providerId === 'santander')?.ranking).toBeCloseTo(one.score * 5, 1);
  });

  it('refunds pro rata what the hub shows was not delivered', async () => {
    const refund = await api('POST', `/market/trades/${tradeId}/refund`, buyer.key);
    const body = refund.json();
    // 1000 messages were promised for the minute; the test published far fewer.
    expect(refund.statusCode).toBe(200);
    expect(body.promised).toBe(1000);
    expect(body.delivered).toBeGreaterThan(0);
    expect(body.delivered).toBeLessThan(100);
    expect(body.refunded).toBe(Math.floor(2 * MSEC * (1 - body.delivered / body.promised)));
    expect((await api('GET', '/market/wallet', buyer.key)).json().available).toBe(48 * MSEC + body.refunded);
    expect((await api('POST', `/market/trades/${tradeId}/refund`, buyer.key)).json().error.code).toBe(
      'MARKET_REFUND_NOT_DUE',
    );
  });
});
