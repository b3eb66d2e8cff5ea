import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { generatePlatformKey, migrate } from '../src/core/index.ts';
import { openSqliteStore } from '../src/core/storage/sqlite.ts';
import { ledgerMigrations, TransparencyLog } from '../src/ledger/index.ts';
import { argValue, forDuration } from './helpers/measure.ts';

/**
 * Ledger throughput on SQLite (WAL, synchronous=FULL) in a temp dir, against the reference of raw
 * durable inserts (one row per transaction) into the same store:
 *   appends/s through group commit (many concurrent appenders) and inclusion proofs served/s.
 * Args: --seconds N (per measurement, default 3), --concurrency N (default 256).
 */
export async function run(args: string[]): Promise<void> {
  const ms = argValue(args, '--seconds', 3) * 1000;
  const concurrency = argValue(args, '--concurrency', 256);
  const dir = mkdtempSync(join(tmpdir(), 'msec-bench-ledger-'));
  const store = openSqliteStore({ filename: join(dir, 'bench.db') });
  try {
    await migrate(store, ledgerMigrations);
    await sql`create table bench_raw (id integer primary key, payload blob not null)`.execute(store.db);
    const payload = Buffer.alloc(32, 1);
    const raw = await forDuration(ms, 1, () =>
      sql`insert into bench_raw (payload) values (${payload})`.execute(store.db),
    );

    const log = await TransparencyLog.open({ store, key: generatePlatformKey() });
    let n = 0;
    const appends = await forDuration(ms, concurrency, () =>
      log.append({ kind: 'hub.readings-batch', dataHash: createHash('sha256').update(String(n++)).digest() }),
    );
    const size = log.size;
    const proofs = await forDuration(ms, 1, () => log.inclusionProof(randomInt(size), size));

    const fmt = (v: number) => v.toFixed(0).padStart(8);
    console.log(`ledger  raw durable inserts/s ${fmt(raw)}  (reference: 1 row per transaction, synchronous=FULL)`);
    console.log(
      `ledger  appends/s             ${fmt(appends)}  ratio ${(appends / raw).toFixed(2)}  (${concurrency} concurrent appenders, group commit; target >= 0.5)`,
    );
    console.log(
      `ledger  inclusion proofs/s    ${fmt(proofs)}  ratio ${(proofs / raw).toFixed(2)}  (tree of ${size} entries)`,
    );
    await log.drain();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
