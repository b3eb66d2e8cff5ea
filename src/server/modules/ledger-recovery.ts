/**
 * Crash recovery of the readings batcher. Reading hashes wait in memory for the next batch, so a
 * crash loses those not yet sealed; the hub's history keeps every accepted reading's COSE bytes
 * durably, so on start the ledger re-reads the readings received since shortly before its last
 * logged batch and queues those that no logged batch holds. Readings accepted after this start
 * reach the batcher over the bus, so the scan stops at the start time: nothing is logged twice.
 * (Hub processes sharing one database each recover what no logged batch holds, so a reading
 * still pending in a live sibling may be logged twice: redundant, never wrong.)
 */
import { sql, type Kysely } from 'kysely';
import type { Store } from '../../core/index.ts';
import { readingHash } from './ledger-batcher.ts';
import type { LedgerModuleTables } from './ledger-schema.ts';

/** The columns of the hub's history table this reads (its durable record of accepted readings). */
type HistoryView = {
  hub_history: { id: number; received_at: number; origin: string | null; cose: Uint8Array | null };
};

/** A reading reaches the batcher within this long of being received (bus delivery, a failed seal retried). */
export const RECOVERY_MARGIN_MS = 60_000;
const PAGE = 500;

async function hasHistory(store: Store): Promise<boolean> {
  const tables = await store.db.introspection.getTables();
  return tables.some((t) => t.name === 'hub_history');
}

/**
 * The COSE bytes of local readings received in [since, until) that no logged batch holds,
 * oldest first. `since` is the last logged batch's time less the margin (0 with no batch yet).
 */
export async function unloggedReadings(store: Store, until: number): Promise<Uint8Array[]> {
  if (!(await hasHistory(store))) return [];
  const db: Kysely<LedgerModuleTables & HistoryView> = store.db.withTables<LedgerModuleTables & HistoryView>();
  const last = await db.selectFrom('ledger_reading_batches').select(sql<number | null>`max(created_at)`.as('at')).where('entry_idx', 'is not', null).executeTakeFirst();
  const since = last?.at == null ? 0 : Number(last.at) - RECOVERY_MARGIN_MS;
  const missing: Uint8Array[] = [];
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('hub_history').select(['id', 'cose'])
      .where('received_at', '>=', since).where('received_at', '<', until).where('origin', 'is', null).where('cose', 'is not', null).where('id', '>', after)
      .orderBy('id').limit(PAGE).execute();
    if (rows.length === 0) break;
    after = Number(rows[rows.length - 1]!.id);
    const hashes = rows.map((r) => readingHash(r.cose!));
    const logged = await db.selectFrom('ledger_batch_readings as r').innerJoin('ledger_reading_batches as b', 'b.batch_id', 'r.batch_id')
      .select('r.reading_hash').where('b.entry_idx', 'is not', null).where('r.reading_hash', 'in', hashes).execute();
    const seen = new Set(logged.map((l) => Buffer.from(l.reading_hash).toString('hex')));
    rows.forEach((r, i) => {
      if (!seen.has(hashes[i]!.toString('hex'))) missing.push(r.cose!);
    });
    if (rows.length < PAGE) break;
  }
  return missing;
}
