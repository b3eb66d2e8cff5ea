import { sql, type Kysely, type Selectable } from 'kysely';
import { MsecError, type Dialect } from '../../core/index.ts';
import { normaliseLine } from '../normalise/line.ts';
import { normalisePlatformEvent } from '../normalise/platform.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { docFieldContains, eventWhere, FIELD_COLUMNS, type EventFilter } from './filters.ts';
import type { MonitorTables } from './schema.ts';

type EventRow = Selectable<MonitorTables['monitor_events']>;

export interface EventView {
  seq: number;
  id: string;
  org: string;
  receivedAt: number;
  /** The ECS document, the original record inside it. */
  doc: Record<string, unknown>;
}

/** The ECS document of a stored row, re-derived from the original record it keeps. */
export function rebuildDoc(
  row: Pick<EventRow, 'type' | 'raw' | 'org_id' | 'observer' | 'received_at'>,
): Record<string, unknown> {
  const receivedAt = Number(row.received_at);
  if (row.type === 'platform') {
    const p = JSON.parse(row.raw) as { subject: string; at: number; data: unknown };
    return normalisePlatformEvent(p.subject, p.at, p.data, receivedAt).doc;
  }
  // Judge time against the receive time: the row passed these checks when it was stored.
  const r = normaliseLine(row.type, row.raw, { org: row.org_id, observer: row.observer ?? undefined, now: receivedAt });
  return r.ok ? r.event.doc : { event: { original: row.raw }, organization: { id: row.org_id } };
}

function view(row: EventRow): EventView {
  return {
    seq: Number(row.seq),
    id: row.event_id,
    org: row.org_id,
    receivedAt: Number(row.received_at),
    doc: rebuildDoc(row),
  };
}

/** Rows scanned at most to fill one page when free text targets an unindexed field. */
const MAX_POSTFILTER_SCAN = 5000;

/** Newest first by event time, cursor-paginated. */
export async function listEvents(
  db: Kysely<MonitorTables>,
  dialect: Dialect,
  f: EventFilter,
  limit: number,
  cursor?: string,
): Promise<{ items: EventView[]; nextCursor: string | null }> {
  const exact = f.q !== undefined && f.field !== undefined && FIELD_COLUMNS[f.field] === undefined;
  let after = cursor ? decodeCursor(cursor) : undefined;
  const items: EventView[] = [];
  let scanned = 0;
  let last: EventRow | undefined;
  let more = true;
  while (scanned < MAX_POSTFILTER_SCAN) {
    const page = exact ? Math.min(500, limit * 4) : limit;
    let q = db.selectFrom('monitor_events').selectAll().where(eventWhere(dialect, f));
    if (after) {
      const [ts, seq] = after;
      q = q.where((eb) => eb.or([eb('ts', '<', ts), eb.and([eb('ts', '=', ts), eb('seq', '<', seq)])]));
    }
    const rows = await q.orderBy('ts', 'desc').orderBy('seq', 'desc').limit(page).execute();
    scanned += rows.length;
    for (const row of rows) {
      last = row;
      const v = view(row);
      if (exact && !docFieldContains(v.doc, f.field!, f.q!)) continue;
      items.push(v);
      if (items.length === limit) break;
    }
    if (items.length === limit) break;
    if (rows.length < page) {
      more = false;
      break;
    }
    after = [Number(last!.ts), Number(last!.seq)];
  }
  const nextCursor = more && last ? encodeCursor([Number(last.ts), Number(last.seq)]) : null;
  return { items, nextCursor };
}

export async function eventsBySeq(db: Kysely<MonitorTables>, seqs: number[]): Promise<EventView[]> {
  if (seqs.length === 0) return [];
  const rows = await db
    .selectFrom('monitor_events')
    .selectAll()
    .where('seq', 'in', seqs)
    .orderBy('ts')
    .orderBy('seq')
    .execute();
  return rows.map(view);
}

export async function eventsByFlow(
  db: Kysely<MonitorTables>,
  org: string,
  flowIds: string[],
  limit: number,
): Promise<EventView[]> {
  if (flowIds.length === 0) return [];
  const rows = await db
    .selectFrom('monitor_events')
    .selectAll()
    .where('org_id', '=', org)
    .where('flow_id', 'in', flowIds)
    .orderBy('ts')
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(view);
}

/** Counts per time bucket of `intervalMs`, oldest first; empty buckets omitted. */
export async function eventHistogram(
  db: Kysely<MonitorTables>,
  dialect: Dialect,
  f: EventFilter,
  intervalMs: number,
): Promise<Array<{ t: number; count: number }>> {
  if (f.from === undefined || f.to === undefined)
    throw new MsecError('MONITOR_QUERY_INVALID', 'a histogram needs `from` and `to`', { status: 400 });
  if ((f.to - f.from) / intervalMs > 10_000)
    throw new MsecError('MONITOR_QUERY_INVALID', 'too many buckets: widen `interval` (at most 10000 buckets)', {
      status: 400,
    });
  const bucket = sql<number>`(ts / ${sql.lit(Math.floor(intervalMs))}) * ${sql.lit(Math.floor(intervalMs))}`;
  const rows = await db
    .selectFrom('monitor_events')
    .select([bucket.as('t'), (eb) => eb.fn.countAll<number>().as('count')])
    .where(eventWhere(dialect, f))
    .groupBy(bucket)
    .orderBy(bucket)
    .execute();
  return rows.map((r) => ({ t: Number(r.t), count: Number(r.count) }));
}

/** Dimensions a top-N can rank. */
export const TOP_FIELDS = {
  signature: 'signature',
  source: 'src_ip',
  destination: 'dst_ip',
  port: 'dst_port',
  'source-port': 'src_port',
  technique: 'technique',
  gateway: 'observer',
  protocol: 'protocol',
  dataset: 'dataset',
} as const;
export type TopField = keyof typeof TOP_FIELDS;

export async function eventTop(
  db: Kysely<MonitorTables>,
  dialect: Dialect,
  f: EventFilter,
  field: TopField,
  n: number,
): Promise<Array<{ key: string | number; count: number }>> {
  const col = TOP_FIELDS[field];
  const rows = await db
    .selectFrom('monitor_events')
    .select([sql.ref<string | number>(col).as('key'), (eb) => eb.fn.countAll<number>().as('count')])
    .where(eventWhere(dialect, f))
    .where(col, 'is not', null)
    .groupBy(col)
    .orderBy('count', 'desc')
    .orderBy(col)
    .limit(n)
    .execute();
  return rows.map((r) => ({ key: typeof r.key === 'string' ? r.key : Number(r.key), count: Number(r.count) }));
}
