/** `msec up --demo`, market part: both cities list a live stream, a bot buys an hour of each and rates it. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PlatformModule } from '../src/core/index.ts';
import { hubModule } from '../src/hub/index.ts';
import { ledgerModule } from '../src/ledger/index.ts';
import { MARKET, marketModule } from '../src/market/index.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';
import { waitFor } from './helpers/net.ts';

let t: TestPlatform;
let hub: PlatformModule;
let market: PlatformModule;

beforeAll(async () => {
  hub = hubModule({ broker: false });
  market = marketModule();
  t = await startTestPlatform({ modules: [ledgerModule(), hub, market] });
  await hub.demo!(t.platform.ctx);
  await market.demo!(t.platform.ctx);
});

afterAll(async () => t?.close());

it('lists a stream of each city, buys and rates both, and the rankings show both cities', async () => {
  const m = t.platform.ctx.services.get(MARKET);
  await waitFor(async () => (await m.listings.list({ status: 'open' })).length === 2, 60_000, 'both cities listed');
  const listings = await m.listings.list({ status: 'open' });
  expect(new Set(listings.map((l) => l.providerOrg))).toEqual(new Set(['santander', 'fujisawa']));
  await waitFor(
    async () => (await m.trust.rankings()).filter((r) => r.evidence > 0).length === 2,
    30_000,
    'both rated',
  );
  const ranks = await m.trust.rankings();
  expect(ranks.map((r) => r.provider).sort()).toEqual(['fujisawa', 'santander']);
  const inv = await m.invariants();
  expect(inv).toMatchObject({ supply: 100_000_000, held: 100_000_000, unbackedGrants: 0 });
});

it('shows both demo trades on the public tape without their parties, newest first, filtered by class', async () => {
  const admin = await t.adminToken();
  const m = t.platform.ctx.services.get(MARKET);
  await waitFor(async () => (await m.listings.list({ status: 'open' })).length === 2, 60_000, 'both cities listed');
  let items: Array<Record<string, unknown>> = [];
  await waitFor(
    async () => {
      const r = await t.request('GET', '/api/v1/market/tape', { token: admin });
      expect(r.statusCode).toBe(200);
      items = (r.json() as { items: typeof items }).items;
      return items.length === 2;
    },
    30_000,
    'two trades on the tape',
  );
  const listings = await m.listings.list({ status: 'open' });
  for (const it of items) {
    expect(Object.keys(it).sort()).toEqual(['at', 'class', 'id', 'listingId', 'price', 'quantity']);
    expect(it).toMatchObject({ price: 2_000_000, quantity: 1 });
    expect(listings.map((l) => l.id)).toContain(it.listingId);
  }
  expect(Number(items[0]!.at)).toBeGreaterThanOrEqual(Number(items[1]!.at));
  const one = await t.request('GET', `/api/v1/market/tape?class=${String(items[1]!.class)}&limit=5`, { token: admin });
  expect((one.json() as { items: unknown[] }).items).toEqual([items[1]]);
  expect((await t.request('GET', '/api/v1/market/tape?limit=0', { token: admin })).statusCode).toBe(400);
});
