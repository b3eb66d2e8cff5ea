import type { Kysely } from 'kysely';
import type { MonitorTables } from './schema.ts';

export interface RetentionPolicy {
  /** Delete events received longer ago than this. */
  maxAgeMs?: number | undefined;
  /** Keep the stored original records under this many bytes (oldest go first). */
  maxBytes?: number | undefined;
}

export interface RetentionResult {
  deletedByAge: number;
  deletedBySize: number;
  storedBytes: number;
}

// Deletes run in slices so one sweep never holds a huge transaction or lock.
const SLICE = 5000;

async function deleteSeqs(db: Kysely<MonitorTables>, seqs: number[]): Promise<void> {
  if (seqs.length === 0) return;
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('monitor_alert_events').where('event_seq', 'in', seqs).execute();
    await trx.deleteFrom('monitor_events').where('seq', 'in', seqs).execute();
  });
}

/**
 * The last sequence number received before `cutoff`, by bisecting the primary key: events are
 * numbered in the order they are stored, so receive time grows with seq (to within the clock
 * skew between processes sharing one database). No index on receive time is needed.
 */
async function lastSeqReceivedBefore(db: Kysely<MonitorTables>, cutoff: number): Promise<number> {
  const bounds = await db
    .selectFrom('monitor_events')
    .select((eb) => [eb.fn.min<number>('seq').as('lo'), eb.fn.max<number>('seq').as('hi')])
    .executeTakeFirstOrThrow();
  if (bounds.lo === null || bounds.hi === null) return 0;
  let lo = Number(bounds.lo) - 1; // received before cutoff (or nothing)
  let hi = Number(bounds.hi) + 1; // received at or after cutoff (or nothing)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const row = await db
      .selectFrom('monitor_events')
      .select(['seq', 'received_at'])
      .where('seq', '>=', mid)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!row) hi = mid;
    else if (Number(row.received_at) < cutoff) lo = Number(row.seq);
    else hi = Math.min(mid, Number(row.seq));
  }
  return lo;
}

/**
 * Age- then size-based retention, by receive time and sequence (oldest stored first), so the disk
 * never fills. Alerts stay (they are small and carry counts); their links to deleted events go.
 */
export async function applyRetention(
  db: Kysely<MonitorTables>,
  policy: RetentionPolicy,
  now: number,
): Promise<RetentionResult> {
  let deletedByAge = 0;
  let deletedBySize = 0;
  if (policy.maxAgeMs !== undefined) {
    const last = await lastSeqReceivedBefore(db, now - policy.maxAgeMs);
    for (;;) {
      const rows = await db
        .selectFrom('monitor_events')
        .select('seq')
        .where('seq', '<=', last)
        .orderBy('seq')
        .limit(SLICE)
        .execute();
      await deleteSeqs(
        db,
        rows.map((r) => Number(r.seq)),
      );
      deletedByAge += rows.length;
      if (rows.length < SLICE) break;
    }
  }
  const total = await db
    .selectFrom('monitor_events')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('bytes'), eb.lit(0)).as('b'))
    .executeTakeFirstOrThrow();
  let storedBytes = Number(total.b);
  if (policy.maxBytes !== undefined && storedBytes > policy.maxBytes) {
    let excess = storedBytes - policy.maxBytes;
    let after = 0;
    while (excess > 0) {
      const rows = await db
        .selectFrom('monitor_events')
        .select(['seq', 'bytes'])
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(SLICE)
        .execute();
      if (rows.length === 0) break;
      const doomed: number[] = [];
      for (const r of rows) {
        if (excess <= 0) break;
        doomed.push(Number(r.seq));
        excess -= r.bytes;
        storedBytes -= r.bytes;
      }
      await deleteSeqs(db, doomed);
      deletedBySize += doomed.length;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }
  return { deletedByAge, deletedBySize, storedBytes };
}
