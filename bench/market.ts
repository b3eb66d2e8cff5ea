import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { generatePlatformKey, migrate, silentLogger, systemClock } from '../src/core/index.ts';
import { openSqliteStore } from '../src/core/storage/sqlite.ts';
import { hubModule } from '../src/hub/index.ts';
import { HistoryStore } from '../src/hub/history/history-store.ts';
import { GrantStore } from '../src/hub/twins/grant-store.ts';
import { TwinStore } from '../src/hub/twins/twin-store.ts';
import { ledgerMigrations, TransparencyLog } from '../src/ledger/index.ts';
import { marketMigrations } from '../src/market/index.ts';
import { OrderBook, type BookOrder } from '../src/market/book.ts';
import { Market } from '../src/market/market.ts';
import { argValue, forDuration } from './helpers/measure.ts';

/**
 * The market's two rates:
 *  - orders matched per second in the in-memory book (limit orders around a moving mid, about
 *    half of them trading), against the 100,000/s target;
 *  - trades settled per second durably on SQLite (escrow-free buy-now: balanced entries, trade
 *    row, hub grant in one transaction, then the settlement on the ledger), against raw durable
 *    single-row inserts measured in the same run, same concurrency (target ratio ≥ 0.3).
 * Args: --orders N (default 300000), --seconds N (per durable measurement, default 3), --concurrency N (default 16).
 */
export async function run(args: string[]): Promise<void> {
  const n = argValue(args, '--orders', 300_000);
  const ms = argValue(args, '--seconds', 3) * 1000;
  const concurrency = argValue(args, '--concurrency', 16);

  // Matching: prebuilt orders, so only the book is timed.
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const orders: BookOrder[] = Array.from({ length: n }, (_, i) => {
    const side = rand() < 0.5 ? 'bid' : 'ask';
    const market = rand() < 0.1;
    const mid = 1000 + Math.round(50 * Math.sin(i / 5000));
    return {
      id: `o${i}`,
      seq: i,
      side,
      type: market ? 'market' : 'limit',
      price: market ? null : mid + Math.round((rand() - (side === 'bid' ? 0.6 : 0.4)) * 40),
      remaining: 1 + Math.floor(rand() * 10),
      party: `p${i % 97}`,
      expiresAt: null,
      ...(side === 'ask' ? { listingId: 'L' } : {}),
    };
  });
  const book = new OrderBook();
  let fills = 0;
  let refused = 0;
  const t0 = performance.now();
  for (const o of orders) {
    try {
      fills += book.submit(o, 0).fills.length;
    } catch {
      refused++;
    }
  }
  const matchRate = n / ((performance.now() - t0) / 1000);
  console.log(
    `book: ${n} orders, ${fills} fills, ${refused} refused self-trades, ${Math.round(matchRate).toLocaleString('en')} orders/s (ratio to the 100,000/s target: ${(matchRate / 100_000).toFixed(2)})`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'msec-bench-market-'));
  const store = openSqliteStore({ filename: join(dir, 'market.db') });
  const ref = openSqliteStore({ filename: join(dir, 'ref.db') });
  try {
    await sql`CREATE TABLE ref (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INTEGER NOT NULL)`.execute(ref.db);
    const rawInsert = await forDuration(ms, concurrency, () =>
      ref.db.transaction().execute((trx) => sql`INSERT INTO ref (a, b) VALUES (${'x'}, ${1})`.execute(trx)),
    );

    await migrate(store, [...(hubModule().migrations ?? []), ...ledgerMigrations, ...marketMigrations]);
    const twins = new TwinStore(store, systemClock, silentLogger());
    const grants = new GrantStore(systemClock);
    await grants.start(store, 3_600_000);
    const log = await TransparencyLog.open({ store, key: generatePlatformKey() });
    const market = new Market({
      store,
      clock: systemClock,
      logger: silentLogger(),
      grants,
      log,
      hub: { twins, history: new HistoryStore(store, silentLogger()), devices: undefined },
      sweepMs: 3_600_000,
    });
    await market.start();
    // One listing per worker, so workers' settlements are not queued behind one class lock.
    const listings: string[] = [];
    for (let i = 0; i < concurrency; i++) {
      await twins.defineResource(
        { provider: `sensor-${i}`, service: 'weather', resource: 'temperature' },
        'santander',
        'sensor',
        {},
      );
      listings.push(
        (
          await market.listings.create(
            { id: 'seller', org: 'santander' },
            {
              kind: 'live',
              provider: `sensor-${i}`,
              service: 'weather',
              resource: 'temperature',
              terms: { pricing: 'per-period', price: 1, periodSeconds: 3600, licence: 'CC-BY-4.0' },
            },
          )
        ).id,
      );
    }
    const buyers = Array.from({ length: concurrency }, (_, i) => ({ id: `buyer-${i}`, org: `org-${i}` }));
    for (const b of buyers) await market.wallets.mint(b, 1_000_000_000, 'bench');
    let w = 0;
    const settle = await forDuration(ms, concurrency, async () => {
      const i = w++ % concurrency;
      await market.exchange.buyNow(buyers[i]!, listings[i]!, 1);
    });
    const inv = await market.invariants();
    await market.stop();
    grants.stop();
    const logged = await store.db
      .withTables<{ market_trades: { ledger_index: number | null } }>()
      .selectFrom('market_trades')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ledger_index', 'is not', null)
      .executeTakeFirst();
    console.log(
      `raw durable inserts (SQLite, synchronous=FULL, ${concurrency} concurrent): ${Math.round(rawInsert)}/s`,
    );
    console.log(
      `durable settlements (entries + trade + grant in one transaction, then the ledger entry): ${Math.round(settle)}/s, ${Number(logged?.n ?? 0)} on the ledger; books balanced: ${inv.supply === inv.held && inv.unbackedGrants === 0}`,
    );
    console.log(`ratio settlements / raw inserts: ${(settle / rawInsert).toFixed(2)} (target ≥ 0.3)`);
  } finally {
    await store.close();
    await ref.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
