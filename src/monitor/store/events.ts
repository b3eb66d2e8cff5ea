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
// 20 bound values a row: 1000 rows stay under SQLite's 32766 and PostgreSQL's 65535 parameters.
const ROWS_PER_STATEMENT = 1000;

const statementCache = new Map<string, string>();

/**
 * The multi-row insert, as SQL text per (dialect, row count): the hot path skips building a query
 * tree of 20,000 nodes per batch (and the garbage it leaves) by handing Kysely the compiled text.
 */
function insertSql(dialect: Dialect, rows: number): string {
  const key = `${dialect}:${rows}`;
  let text = statementCache.get(key);
  if (!text) {
    const per = COLUMNS.length;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const ph: string[] = [];
      for (let c = 0; c < per; c++) ph.push(dialect === 'postgres' ? `$${r * per + c + 1}` : '?');
      tuples.push(`(${ph.join(',')})`);
    }
    text = `insert into monitor_events (${COLUMNS.join(',')}) values ${tuples.join(',')} on conflict (org_id, event_id) do nothing returning seq, org_id, event_id`;
    if (statementCache.size > 64) statementCache.clear();
    statementCache.set(key, text);
  }
  return text;
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
  const stored: StoredRef[] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) {
    const chunk = items.slice(i, i + ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    for (const { org, id, event: e } of chunk) {
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
    const res = await db.executeQuery<{ seq: number | string; org_id: string; event_id: string }>(
      CompiledQuery.raw(insertSql(dialect, chunk.length), params),
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
