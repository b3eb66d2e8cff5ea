import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from '../../core/index.ts';
import type { NormalisedEvent } from '../normalise/types.ts';
import { CHUNK_EVENTS, encodeChunk } from './chunk-write.ts';
import type { MonitorTables } from './schema.ts';

export type MonitorDb = Kysely<MonitorTables> | Transaction<MonitorTables>;

/** An event ready to store: its (org, id) key and the common-schema record. */
export interface EventToStore {
  org: string;
  id: string;
  event: NormalisedEvent;
}

export interface StoredRef<T extends EventToStore = EventToStore> {
  seq: number;
  item: T;
}

const SQL = {
  sqlite: {
    takeSeqs: 'update monitor_event_seq set next = next + ? where id = 1 returning next',
    // `where true` tells SQLite's parser that `on conflict` is the upsert clause, not a join's.
    claim:
      'insert into monitor_event_ids (org_id, event_id, seq) select ?, value, ? + key from json_each(?) where true on conflict do nothing',
    seqsOf:
      'select event_id, seq from monitor_event_ids where org_id = ? and event_id in (select value from json_each(?))',
    unclaim: 'delete from monitor_event_ids where org_id = ? and event_id in (select value from json_each(?))',
  },
  postgres: {
    takeSeqs: 'update monitor_event_seq set next = next + $1 where id = 1 returning next',
    claim:
      'insert into monitor_event_ids (org_id, event_id, seq) select $1, t.value, $2::bigint + t.ord - 1 from json_array_elements_text($3::json) with ordinality as t(value, ord) on conflict do nothing',
    seqsOf:
      'select event_id, seq from monitor_event_ids where org_id = $1 and event_id in (select json_array_elements_text($2::json))',
    unclaim:
      'delete from monitor_event_ids where org_id = $1 and event_id in (select json_array_elements_text($2::json))',
  },
} as const;

/**
 * Takes a block of `n` seqs. The counter row's lock (PostgreSQL) is held to the end of the
 * transaction, so writers in other processes wait here, and the claims that follow see everything
 * they committed: no two writers store one id.
 */
async function takeSeqs(db: MonitorDb, dialect: Dialect, n: number): Promise<number> {
  const res = await db.executeQuery<{ next: number | string }>(CompiledQuery.raw(SQL[dialect].takeSeqs, [n]));
  const next = res.rows[0]?.next;
  if (next === undefined) throw new Error('monitor_event_seq has no counter row: the monitor migrations did not run');
  return Number(next) - n;
}

/** Claims `ids` as seqs `first`, `first + 1`, … and says how many were not stored before. */
async function claim(db: MonitorDb, dialect: Dialect, org: string, first: number, ids: string[]): Promise<number> {
  const res = await db.executeQuery(CompiledQuery.raw(SQL[dialect].claim, [org, first, JSON.stringify(ids)]));
  return Number(res.numAffectedRows ?? 0);
}

/** Forgets the claims of `idsJson` (a JSON array of ids): retention, and a claim taken back. */
export async function releaseClaims(db: MonitorDb, dialect: Dialect, org: string, idsJson: string): Promise<void> {
  await db.executeQuery(CompiledQuery.raw(SQL[dialect].unclaim, [org, idsJson]));
}

/**
 * The events of a slice not stored before, claimed with seqs `first`, `first + 1`, … in their
 * order. Fresh ids, the common case, take one statement. When some were stored before (a replay),
 * the ids this claim took (those now at a seq of its block) are released and claimed again without
 * the gaps, because a chunk numbers its events consecutively.
 */
async function claimFresh<T extends EventToStore>(
  db: MonitorDb,
  dialect: Dialect,
  org: string,
  first: number,
  slice: T[],
): Promise<T[]> {
  const ids = slice.map((item) => item.id);
  const claimed = await claim(db, dialect, org, first, ids);
  if (claimed === slice.length) return slice;
  if (claimed === 0) return [];
  const res = await db.executeQuery<{ event_id: string; seq: number | string }>(
    CompiledQuery.raw(SQL[dialect].seqsOf, [org, JSON.stringify(ids)]),
  );
  const mine = new Set<string>();
  for (const r of res.rows) if (Number(r.seq) >= first && Number(r.seq) < first + slice.length) mine.add(r.event_id);
  const fresh = slice.filter((item) => mine.has(item.id));
  const freshIds = fresh.map((item) => item.id);
  await releaseClaims(db, dialect, org, JSON.stringify(freshIds));
  await claim(db, dialect, org, first, freshIds);
  return fresh;
}

/**
 * Inserts a batch inside the caller's transaction, skipping (org, id) pairs already stored, and
 * returns what it stored with the seqs it numbered them, in input order. A pair repeated inside the
 * batch is stored once. Each city's new events become chunks of up to CHUNK_EVENTS, sorted by time.
 */
export async function insertEvents<T extends EventToStore>(
  db: MonitorDb,
  items: T[],
  receivedAt: number,
  dialect: Dialect,
): Promise<Array<StoredRef<T>>> {
  if (items.length === 0) return [];
  // First copy of each (org, id) in the batch, grouped by org (a batch is normally one org).
  const byOrg = new Map<string, Map<string, T>>();
  for (const item of items) {
    let ids = byOrg.get(item.org);
    if (!ids) byOrg.set(item.org, (ids = new Map()));
    if (!ids.has(item.id)) ids.set(item.id, item);
  }
  let next = await takeSeqs(db, dialect, items.length);
  const seqOf = new Map<T, number>();
  for (const [org, ids] of byOrg) {
    // A stable sort: equal times keep their arrival order.
    const sorted = [...ids.values()].sort((a, b) => a.event.timeMs - b.event.timeMs);
    for (let i = 0; i < sorted.length; i += CHUNK_EVENTS) {
      const first = next;
      const slice = sorted.slice(i, i + CHUNK_EVENTS);
      next += slice.length;
      const chunk = await claimFresh(db, dialect, org, first, slice);
      if (chunk.length === 0) continue;
      chunk.forEach((item, k) => seqOf.set(item, first + k));
      const row = encodeChunk(org, receivedAt, first, chunk);
      await db.insertInto('monitor_event_chunks').values(row).execute();
    }
  }
  const stored: Array<StoredRef<T>> = [];
  for (const item of items) {
    const seq = seqOf.get(item);
    if (seq !== undefined) {
      stored.push({ seq, item });
      seqOf.delete(item); // the same object twice in a batch is stored once
    }
  }
  return stored;
}
