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
