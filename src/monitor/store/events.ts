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
 * Which events of a chunk's slice were not stored before, claimed with seqs `first`, `first + 1`, …
 * in their order: positions into `slice`. Fresh ids, the common case, take one statement. When some
 * were stored before (a replay) or an id repeats in the slice, the ids this claim took (those now
 * at a seq of its block) are released and claimed again without the gaps, because a chunk numbers
 * its events consecutively; an id repeated in the slice keeps its first copy.
 */
async function claimFresh(
  db: MonitorDb,
  dialect: Dialect,
  org: string,
  first: number,
  slice: readonly EventToStore[],
): Promise<number[]> {
  const ids = slice.map((item) => item.id);
  const claimed = await claim(db, dialect, org, first, ids);
  if (claimed === slice.length) return ids.map((_, k) => k);
  if (claimed === 0) return [];
  const res = await db.executeQuery<{ event_id: string; seq: number | string }>(
    CompiledQuery.raw(SQL[dialect].seqsOf, [org, JSON.stringify(ids)]),
  );
  const mine = new Set<string>();
  for (const r of res.rows) if (Number(r.seq) >= first && Number(r.seq) < first + slice.length) mine.add(r.event_id);
  const fresh: number[] = [];
  for (let k = 0; k < ids.length; k++) if (mine.delete(ids[k] as string)) fresh.push(k);
  const freshIds = fresh.map((k) => ids[k] as string);
  await releaseClaims(db, dialect, org, JSON.stringify(freshIds));
  await claim(db, dialect, org, first, freshIds);
  return fresh;
}

/** Input positions of each organisation's events (a batch is normally one organisation). */
function positionsByOrg(items: readonly EventToStore[]): Map<string, number[]> {
  const org = (items[0] as EventToStore).org;
  let one = true;
  for (let i = 1; i < items.length && one; i++) one = (items[i] as EventToStore).org === org;
  const all = Array.from({ length: items.length }, (_, i) => i);
  if (one) return new Map([[org, all]]);
  const byOrg = new Map<string, number[]>();
  for (const i of all) {
    const o = (items[i] as EventToStore).org;
    let list = byOrg.get(o);
    if (!list) byOrg.set(o, (list = []));
    list.push(i);
  }
  return byOrg;
}

/**
 * Inserts a batch inside the caller's transaction, skipping (org, id) pairs already stored, and
 * returns what it stored with the seqs it numbered them, in input order. A pair repeated inside the
 * batch is stored once: its earliest copy by event time (the first in input order among equal
 * times). Each city's new events become chunks of up to CHUNK_EVENTS, sorted by time.
 */
export async function insertEvents<T extends EventToStore>(
  db: MonitorDb,
  items: T[],
  receivedAt: number,
  dialect: Dialect,
): Promise<Array<StoredRef<T>>> {
  if (items.length === 0) return [];
  let next = await takeSeqs(db, dialect, items.length);
  // The seq each input position was stored at; positions and times in arrays, not a Map per event.
  const seqs = new Float64Array(items.length).fill(-1);
  const times = Float64Array.from(items, (item) => item.event.timeMs);
  for (const [org, positions] of positionsByOrg(items)) {
    // A stable sort: equal times keep their arrival order.
    positions.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
    for (let i = 0; i < positions.length; i += CHUNK_EVENTS) {
      const first = next;
      const at = positions.slice(i, i + CHUNK_EVENTS);
      next += at.length;
      const slice = at.map((p) => items[p] as T);
      const fresh = await claimFresh(db, dialect, org, first, slice);
      if (fresh.length === 0) continue;
      const chunk = fresh.length === slice.length ? slice : fresh.map((k) => slice[k] as T);
      fresh.forEach((k, j) => (seqs[at[k] as number] = first + j));
      const row = encodeChunk(org, receivedAt, first, chunk);
      await db.insertInto('monitor_event_chunks').values(row).execute();
    }
  }
  const stored: Array<StoredRef<T>> = [];
  for (let i = 0; i < items.length; i++) {
    const seq = seqs[i] as number;
    if (seq >= 0) stored.push({ seq, item: items[i] as T });
  }
  return stored;
}
