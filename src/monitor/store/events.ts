import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from '../../core/index.ts';
import type { NormalisedEvent } from '../normalise/types.ts';
import { byTime, CHUNK_EVENTS, encodeChunk } from './chunk-write.ts';
import type { MonitorTables } from './schema.ts';

export type MonitorDb = Kysely<MonitorTables> | Transaction<MonitorTables>;

/** An event ready to store: its (org, id) key and the common-schema record. */
export interface EventToStore {
  org: string;
  id: string;
  event: NormalisedEvent;
}

export interface StoredRef {
  seq: number;
  item: EventToStore;
}

/** Ids looked up, or claimed, per statement (one bound JSON array each). */
const IDS_PER_STATEMENT = 5000;

const SQL = {
  sqlite: {
    takeSeqs: 'update monitor_event_seq set next = next + ? where id = 1 returning next',
    existing:
      'select event_id from monitor_event_ids where org_id = ? and event_id in (select value from json_each(?))',
    claim: 'insert into monitor_event_ids (org_id, event_id, seq) select ?, value, ? + key from json_each(?)',
  },
  postgres: {
    takeSeqs: 'update monitor_event_seq set next = next + $1 where id = 1 returning next',
    existing:
      'select event_id from monitor_event_ids where org_id = $1 and event_id in (select json_array_elements_text($2::json))',
    claim:
      'insert into monitor_event_ids (org_id, event_id, seq) select $1, t.value, $2::bigint + t.ord - 1 from json_array_elements_text($3::json) with ordinality as t(value, ord)',
  },
} as const;

/**
 * Takes a block of `n` seqs. The counter row's lock (PostgreSQL) is held to the end of the
 * transaction, so writers in other processes wait here, and the look-up of stored ids that follows
 * sees everything they committed: no two writers claim one id.
 */
async function takeSeqs(db: MonitorDb, dialect: Dialect, n: number): Promise<number> {
  const res = await db.executeQuery<{ next: number | string }>(CompiledQuery.raw(SQL[dialect].takeSeqs, [n]));
  const next = res.rows[0]?.next;
  if (next === undefined) throw new Error('monitor_event_seq has no counter row: the monitor migrations did not run');
  return Number(next) - n;
}

/**
 * Inserts a batch inside the caller's transaction, skipping (org, id) pairs already stored, and
 * returns what it stored with the seqs it numbered them, in input order. A pair repeated inside the
 * batch is stored once. Each city's new events become chunks of up to CHUNK_EVENTS, sorted by time.
 */
export async function insertEvents(
  db: MonitorDb,
  items: EventToStore[],
  receivedAt: number,
  dialect: Dialect,
): Promise<StoredRef[]> {
  if (items.length === 0) return [];
  // First copy of each (org, id) in the batch, grouped by org (a batch is normally one org).
  const byOrg = new Map<string, Map<string, EventToStore>>();
  for (const item of items) {
    let ids = byOrg.get(item.org);
    if (!ids) byOrg.set(item.org, (ids = new Map()));
    if (!ids.has(item.id)) ids.set(item.id, item);
  }
  let next = await takeSeqs(db, dialect, items.length);
  const seqOf = new Map<EventToStore, number>();
  for (const [org, ids] of byOrg) {
    const all = [...ids.keys()];
    for (let i = 0; i < all.length; i += IDS_PER_STATEMENT) {
      const res = await db.executeQuery<{ event_id: string }>(
        CompiledQuery.raw(SQL[dialect].existing, [org, JSON.stringify(all.slice(i, i + IDS_PER_STATEMENT))]),
      );
      for (const r of res.rows) ids.delete(r.event_id);
    }
    const fresh = byTime([...ids.values()].map((item) => ({ item, timeMs: item.event.timeMs })));
    for (let i = 0; i < fresh.length; i += CHUNK_EVENTS) {
      const chunk = fresh.slice(i, i + CHUNK_EVENTS);
      const first = next;
      next += chunk.length;
      chunk.forEach(({ item }, k) => seqOf.set(item, first + k));
      await db.executeQuery(
        CompiledQuery.raw(SQL[dialect].claim, [org, first, JSON.stringify(chunk.map(({ item }) => item.id))]),
      );
      const row = encodeChunk(
        org,
        receivedAt,
        first,
        chunk.map(({ item }) => ({
          id: item.id,
          type: item.event.type,
          timeMs: item.event.timeMs,
          columns: item.event.columns,
          raw: item.event.raw,
        })),
      );
      await db.insertInto('monitor_event_chunks').values(row).execute();
    }
  }
  const stored: StoredRef[] = [];
  for (const item of items) {
    const seq = seqOf.get(item);
    if (seq !== undefined) {
      stored.push({ seq, item });
      seqOf.delete(item); // the same object twice in a batch is stored once
    }
  }
  return stored;
}
