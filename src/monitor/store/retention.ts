import type { Kysely } from 'kysely';
import type { Dialect } from '../../core/index.ts';
import { releaseClaims } from './events.ts';
import type { MonitorTables } from './schema.ts';

export interface RetentionPolicy {
  /** Delete events received longer ago than this. */
  maxAgeMs?: number | undefined;
  /** Keep the stored events (their encoded chunks) under this many bytes; the oldest go first. */
  maxBytes?: number | undefined;
}

export interface RetentionResult {
  deletedByAge: number;
  deletedBySize: number;
  storedBytes: number;
}

interface ChunkHead {
  seq: number;
  org_id: string;
  count: number;
  bytes: number;
  event_id: string;
}

// Deletes run in slices so one sweep never holds a huge transaction or lock.
const SLICE = 100;

/** Deletes whole chunks with their id claims and the alert links to their events. */
async function deleteChunks(db: Kysely<MonitorTables>, dialect: Dialect, chunks: ChunkHead[]): Promise<void> {
  if (chunks.length === 0) return;
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('monitor_alert_events')
      .where((eb) =>
        eb.or(
          chunks.map((c) =>
            eb.and([eb('event_seq', '>=', Number(c.seq)), eb('event_seq', '<', Number(c.seq) + Number(c.count))]),
          ),
        ),
      )
      .execute();
    for (const c of chunks) await releaseClaims(trx, dialect, c.org_id, c.event_id);
    await trx
      .deleteFrom('monitor_event_chunks')
      .where(
        'seq',
        'in',
        chunks.map((c) => Number(c.seq)),
      )
      .execute();
  });
}

const HEAD = ['seq', 'org_id', 'count', 'bytes', 'event_id'] as const;

/**
 * Age- then size-based retention, a whole chunk at a time, so the disk never fills: by age the
 * chunks received before the cut-off (a chunk is one batch, received at one time), by size the
 * oldest stored chunks until the rest fits. Alerts stay (they are small and carry counts); their
 * links to deleted events go, and so do the deleted events' ids (a replay of them would be stored
 * again, as new).
 */
export async function applyRetention(
  db: Kysely<MonitorTables>,
  policy: RetentionPolicy,
  now: number,
  dialect: Dialect,
): Promise<RetentionResult> {
  let deletedByAge = 0;
  let deletedBySize = 0;
  if (policy.maxAgeMs !== undefined) {
    const cutoff = now - policy.maxAgeMs;
    for (;;) {
      const rows = await db
        .selectFrom('monitor_event_chunks')
        .select(HEAD)
        .where('received_at', '<', cutoff)
        .orderBy('received_at')
        .limit(SLICE)
        .execute();
      await deleteChunks(db, dialect, rows);
      for (const r of rows) deletedByAge += Number(r.count);
      if (rows.length < SLICE) break;
    }
  }
  const total = await db
    .selectFrom('monitor_event_chunks')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('bytes'), eb.lit(0)).as('b'))
    .executeTakeFirstOrThrow();
  let storedBytes = Number(total.b);
  if (policy.maxBytes !== undefined && storedBytes > policy.maxBytes) {
    let excess = storedBytes - policy.maxBytes;
    while (excess > 0) {
      const rows = await db.selectFrom('monitor_event_chunks').select(HEAD).orderBy('seq').limit(SLICE).execute();
      if (rows.length === 0) break;
      const doomed: ChunkHead[] = [];
      for (const r of rows) {
        if (excess <= 0) break;
        doomed.push(r);
        excess -= Number(r.bytes);
        storedBytes -= Number(r.bytes);
        deletedBySize += Number(r.count);
      }
      await deleteChunks(db, dialect, doomed);
    }
  }
  return { deletedByAge, deletedBySize, storedBytes };
}
