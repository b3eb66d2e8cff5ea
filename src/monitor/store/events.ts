import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from '../../core/index.ts';
import type { NormalisedEvent } from '../normalise/types.ts';
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

const COLUMNS = [
  'org_id',
  'event_id',
  'ts',
  'received_at',
  'type',
  'dataset',
  'severity',
  'observer',
  'src_ip',
  'src_port',
  'dst_ip',
  'dst_port',
  'transport',
  'protocol',
  'flow_id',
  'signature',
  'signature_id',
  'technique',
  'raw',
  'bytes',
] as const;
// 20 bound values a row: 1000 rows stay under PostgreSQL's 65535 parameters, and one statement per
// 1000 rows saves round trips there. SQLite has no round trip, and its multi-row VALUES costs more
// per row past about a hundred rows (measured: 100 rows a statement stores 37k events/s, 1000 rows 30k).
const PG_ROWS_PER_STATEMENT = 1000;
const SQLITE_ROWS_PER_STATEMENT = 100;

const statementCache = new Map<string, string>();

/**
 * The multi-row insert, as SQL text per (dialect, row count): the hot path skips building a query
 * tree of 20,000 nodes per batch (and the garbage it leaves) by handing Kysely the compiled text.
 */
function insertSql(dialect: Dialect, rows: number, returning: boolean): string {
  const key = `${dialect}:${rows}:${returning}`;
  let text = statementCache.get(key);
  if (!text) {
    const per = COLUMNS.length;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const ph: string[] = [];
      for (let c = 0; c < per; c++) ph.push(dialect === 'postgres' ? `$${r * per + c + 1}` : '?');
      tuples.push(`(${ph.join(',')})`);
    }
    text = `insert into monitor_events (${COLUMNS.join(',')}) values ${tuples.join(',')} on conflict (org_id, event_id) do nothing${returning ? ' returning seq, org_id, event_id' : ''}`;
    if (statementCache.size > 64) statementCache.clear();
    statementCache.set(key, text);
  }
  return text;
}

/** Values of one row, in COLUMNS order, appended to `params`. */
function pushRow(params: unknown[], org: string, id: string, e: NormalisedEvent, receivedAt: number): void {
  const c = e.columns;
  params.push(
    org,
    id,
    e.timeMs,
    receivedAt,
    e.type,
    c.dataset,
    c.severity,
    c.observer,
    c.src_ip,
    c.src_port,
    c.dst_ip,
    c.dst_port,
    c.transport,
    c.protocol,
    c.flow_id,
    c.signature,
    c.signature_id,
    c.technique,
    e.raw,
    e.raw.length,
  );
}

/**
 * Inserts a batch, skipping (org, id) pairs already stored, and returns the rows it stored with
 * their sequence numbers, in input order. A pair repeated inside the batch is stored once.
 */
export async function insertEvents(
  db: MonitorDb,
  items: EventToStore[],
  receivedAt: number,
  dialect: Dialect,
): Promise<StoredRef[]> {
  return dialect === 'sqlite'
    ? insertEventsSqlite(db, items, receivedAt)
    : insertEventsReturning(db, items, receivedAt, dialect);
}

/** `select event_id … where org_id = ? and event_id in (?, …)`, per id count. */
function existingSql(ids: number): string {
  const key = `exists:${ids}`;
  let text = statementCache.get(key);
  if (!text) {
    text = `select event_id from monitor_events where org_id = ? and event_id in (${new Array<string>(ids).fill('?').join(',')})`;
    if (statementCache.size > 64) statementCache.clear();
    statementCache.set(key, text);
  }
  return text;
}

/**
 * SQLite, inside the caller's transaction: the ids already stored are looked up first (index probes
 * the insert would make anyway), then only new rows are inserted, without RETURNING. Building a
 * result row per event cost a third of the insert's CPU time; instead a rowid table without
 * AUTOINCREMENT gives a multi-row insert consecutive rowids after the largest one, so the last
 * insert id and the row count give every seq. If the count does not add up (someone else wrote the
 * same ids meanwhile) the seqs are read back instead.
 */
async function insertEventsSqlite(db: MonitorDb, items: EventToStore[], receivedAt: number): Promise<StoredRef[]> {
  // First copy of each (org, id) in the batch, grouped by org (a batch is normally one org).
  const byOrg = new Map<string, Map<string, EventToStore>>();
  for (const item of items) {
    let ids = byOrg.get(item.org);
    if (!ids) byOrg.set(item.org, (ids = new Map()));
    if (!ids.has(item.id)) ids.set(item.id, item);
  }
  for (const [org, ids] of byOrg) {
    const all = [...ids.keys()];
    for (let i = 0; i < all.length; i += 5000) {
      const chunk = all.slice(i, i + 5000);
      const res = await db.executeQuery<{ event_id: string }>(
        CompiledQuery.raw(existingSql(chunk.length), [org, ...chunk]),
      );
      for (const r of res.rows) ids.delete(r.event_id);
    }
  }
  const fresh = new Set<EventToStore>();
  for (const ids of byOrg.values()) for (const item of ids.values()) fresh.add(item);
  const ordered = items.filter((item) => fresh.delete(item));
  const stored: StoredRef[] = [];
  for (let i = 0; i < ordered.length; i += SQLITE_ROWS_PER_STATEMENT) {
    const chunk = ordered.slice(i, i + SQLITE_ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    for (const { org, id, event } of chunk) pushRow(params, org, id, event, receivedAt);
    const res = await db.executeQuery(CompiledQuery.raw(insertSql('sqlite', chunk.length, false), params));
    const last = Number(res.insertId ?? 0n);
    if (Number(res.numAffectedRows ?? 0n) === chunk.length && last >= chunk.length) {
      chunk.forEach((item, k) => stored.push({ seq: last - chunk.length + 1 + k, item }));
    } else {
      stored.push(...(await readBack(db, chunk, receivedAt)));
    }
  }
  return stored;
}

/** The seqs of rows this insert stored (those with its receive time), in input order. */
async function readBack(db: MonitorDb, chunk: EventToStore[], receivedAt: number): Promise<StoredRef[]> {
  const out: StoredRef[] = [];
  for (const item of chunk) {
    const row = await db
      .selectFrom('monitor_events')
      .select('seq')
      .where('org_id', '=', item.org)
      .where('event_id', '=', item.id)
      .where('received_at', '=', receivedAt)
      .executeTakeFirst();
    if (row) out.push({ seq: Number(row.seq), item });
  }
  return out;
}

/** PostgreSQL (and any store with concurrent writers): the insert itself reports what it stored. */
async function insertEventsReturning(
  db: MonitorDb,
  items: EventToStore[],
  receivedAt: number,
  dialect: Dialect,
): Promise<StoredRef[]> {
  const stored: StoredRef[] = [];
  for (let i = 0; i < items.length; i += PG_ROWS_PER_STATEMENT) {
    const chunk = items.slice(i, i + PG_ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    for (const { org, id, event } of chunk) pushRow(params, org, id, event, receivedAt);
    const res = await db.executeQuery<{ seq: number | string; org_id: string; event_id: string }>(
      CompiledQuery.raw(insertSql(dialect, chunk.length, true), params),
    );
    const byKey = new Map<string, number>();
    for (const r of res.rows) byKey.set(`${r.org_id}\u0000${r.event_id}`, Number(r.seq));
    for (const item of chunk) {
      const key = `${item.org}\u0000${item.id}`;
      const seq = byKey.get(key);
      if (seq !== undefined) {
        stored.push({ seq, item });
        byKey.delete(key); // a second copy in the same batch is a duplicate
      }
    }
  }
  return stored;
}
