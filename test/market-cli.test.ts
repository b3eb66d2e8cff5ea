import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command, CommanderError } from 'commander';
import { isMsecError } from '../src/core/index.ts';
import type { CliIo } from '../src/cli/io.ts';
import { registerMarketCommands } from '../src/cli/commands/market.ts';
import { ledgerModule } from '../src/ledger/index.ts';
import { marketModule } from '../src/market/index.ts';
import { SimDevice } from './helpers/hub-devices.ts';
import { connectMqtt, startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';
import { waitFor } from './helpers/net.ts';

/** Runs `msec market ...` in-process against the listening platform; returns exit code and output. */
async function market(url: string, token: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`), readStdin: async () => '' };
  const program = new Command('msec')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  registerMarketCommands(program, io);
  const apply = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(apply);
  };
  apply(program);
  try {
    await program.parseAsync(['market', ...args, '--hub', url, '--token', token], { from: 'user' });
    return { code: 0, out, err };
  } catch (e) {
    if (e instanceof CommanderError) return { code: 2, out, err };
    if (isMsecError(e)) return { code: 1, out, err: `${err}${e.code}: ${e.message}` };
    throw e;
  }
}

describe('msec market CLI against a running platform', () => {
  let t: HubTestPlatform;
  let device: SimDevice;
  let admin: string;
  let seller: { key: string; id: string };
  let buyer: { key: string; id: string };

  beforeAll(async () => {
    t = await startHubPlatform({ alsoModules: [ledgerModule(), marketModule()] });
    admin = await t.adminToken();
    seller = await t.principal('santander', 'santander-market', ['provider']);
    buyer = await t.principal('buyer', 'buyer-bot', ['consumer']);
    device = await SimDevice.create(t, 'air-1', 'santander');
    const c = await connectMqtt(t.mqttPort, device.id, await device.credential(), device.id);
    await c.publishAsync(
      `devices/${device.id}/readings`,
      Buffer.from(await device.reading(`${device.id}/weather/temperature`, 20, Date.now(), 'C')),
      { qos: 1 },
    );
    await c.endAsync();
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

  it('mints, offers, trades in the book, buys, rates, and shows balances, orders and rankings', async () => {
    const url = t.platform.url;
    expect((await market(url, buyer.key, ['mint', buyer.id, '10'])).err).toMatch(/FORBIDDEN/);
    expect((await market(url, admin, ['mint', buyer.id, '100.5'])).out).toMatch(/minted 100\.5 MSEC/);
    expect((await market(url, admin, ['mint', buyer.id, '1.1234567'])).code).toBe(2);
    const offer = await market(url, seller.key, [
      'offer',
      '--provider',
      'air-1',
      '--service',
      'weather',
      '--resource',
      'temperature',
      '--price',
      '2',
      '--period',
      '600',
      '--promised',
      '10',
    ]);
    expect(offer.code).toBe(0);
    const listing = /listed (\S+)/.exec(offer.out)![1]!;
    expect((await market(url, buyer.key, ['list'])).out).toContain(listing);
    expect(
      (await market(url, seller.key, ['ask', '--listing', listing, '--quantity', '3', '--price', '1.5'])).out,
    ).toMatch(/ask limit 1\.5 × 3 \(open 3\)\s+open/);
    const bid = await market(url, buyer.key, ['bid', '--listing', listing, '--quantity', '2', '--price', '1.75']);
    expect(bid.out).toMatch(/trade \S+: 2 × 1\.5 = 3 MSEC/);
    const buy = await market(url, buyer.key, ['buy', listing, '--quantity', '1']);
    const trade = /trade (\S+):/.exec(buy.out)![1]!;
    expect(buy.out).toMatch(/1 × 2 = 2 MSEC/);
    expect((await market(url, buyer.key, ['balance'])).out).toBe('available 95.5 MSEC, in escrow 0 MSEC\n');
    const rest = await market(url, buyer.key, ['bid', '--listing', listing, '--quantity', '1', '--price', '0.5']);
    const orderId = /^(\S+)/.exec(rest.out)![1]!;
    expect((await market(url, buyer.key, ['balance'])).out).toBe('available 95 MSEC, in escrow 0.5 MSEC\n');
    expect((await market(url, buyer.key, ['orders', '--status', 'open'])).out).toContain(orderId);
    expect((await market(url, buyer.key, ['cancel', orderId])).out).toMatch(/cancelled/);
    expect((await market(url, buyer.key, ['rate', trade, '4'])).out).toMatch(/rated/);
    expect((await market(url, buyer.key, ['rate', trade, '4'])).err).toMatch(/MARKET_ALREADY_RATED/);
    expect((await market(url, buyer.key, ['rate', trade, '9'])).code).toBe(2);
    expect((await market(url, buyer.key, ['rankings'])).out).toMatch(
      /1\. santander {2}0\.\d{3} \[0\.\d{3}, [01]\.\d{3}\] {2}evidence \d+/,
    );
    expect((await market(url, buyer.key, ['buy', listing, '--quantity', '0'])).code).toBe(2);
  });
});
