import { CompiledQuery, type Kysely } from 'kysely';
import type { TwinValue } from '../twins/model.ts';
import type { NewHistoryRow } from './history-store.ts';
import type { HistoryTables } from './schema.ts';

const COLUMNS = [
  'org',
  'provider',
  'service',
  'resource',
  'device_id',
  'counter',
  'ts',
  'received_at',
  'value_num',
  'value',
  'unit',
  'signature',
  'attestation',
  'origin',
  'origin_seq',
  'cose',
] as const;

/** One constant statement text: the SQLite adapter keeps it prepared (its cache is keyed by SQL text). */
const SQLITE_ROW = `INSERT INTO hub_history (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`;

export function numericOf(v: TwinValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

/**
 * SQLite: the batch as single-row inserts of one prepared statement inside one transaction (one
 * commit). A multi-row insert would need new SQL text (a new prepare) for every batch size, and
 * building it through Kysely cost more than the insert; measured, the per-row statement costs
 * SQLite no more than a multi-row one, and far less than expanding a JSON parameter.
 */
export async function insertHistorySqlite(db: Kysely<HistoryTables>, rows: readonly NewHistoryRow[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const r of rows) {
      const cose = r.cose ? Buffer.from(r.cose.buffer, r.cose.byteOffset, r.cose.byteLength) : null;
      await tx.executeQuery(
        CompiledQuery.raw(SQLITE_ROW, [
          r.org,
          r.provider,
          r.service,
          r.resource,
          r.device_id,
          r.counter,
          r.ts,
          r.received_at,
          numericOf(r.value),
          JSON.stringify(r.value),
          r.unit,
          r.signature,
          r.attestation,
          r.origin,
          r.origin_seq,
          cose,
        ]),
      );
    }
  });
}
