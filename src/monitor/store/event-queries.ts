import type { Kysely } from 'kysely';
import { MsecError, type Dialect } from '../../core/index.ts';
import { normaliseLine } from '../normalise/line.ts';
import { normalisePlatformEvent } from '../normalise/platform.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { chunkWhere, forEachChunk, inRange, loadChunks, type LoadedChunk } from './chunk-scan.ts';
import { compileFilter, docFieldContains, FIELD_COLUMNS, type EventFilter, type ScanColumn } from './filters.ts';
import type { MonitorTables } from './schema.ts';

export interface EventView {
  seq: number;
  id: string;
  org: string;
  receivedAt: number;
  /** The ECS document, the original record inside it. */
  doc: Record<string, unknown>;
}

/** The ECS document of a stored row, re-derived from the original record it keeps. */
export function rebuildDoc(row: {
  type: string;
  raw: string;
  org_id: string;
  observer: string | null;
  received_at: number;
}): Record<string, unknown> {
  const receivedAt = Number(row.received_at);
  if (row.type === 'platform') {
    const p = JSON.parse(row.raw) as { subject: string; at: number; data: unknown };
    return normalisePlatformEvent(p.subject, p.at, p.data, receivedAt).doc;
  }
  // Judge time against the receive time: the row passed these checks when it was stored.
  const r = normaliseLine(row.type, row.raw, { org: row.org_id, observer: row.observer ?? undefined, now: receivedAt });
  return r.ok ? r.event.doc : { event: { original: row.raw }, organization: { id: row.org_id } };
}

/** The view of event `i` of a loaded chunk (loaded with type, observer, event_id and raw). */
function view(c: LoadedChunk, i: number): EventView {
  const observer = c.col('observer')[i];
  return {
    seq: c.seq + i,
    id: String(c.col('event_id')[i]),
    org: c.org,
    receivedAt: c.receivedAt,
    doc: rebuildDoc({
      type: String(c.col('type')[i]),
      raw: c.raw()[i]!,
      org_id: c.org,
      observer: typeof observer === 'string' ? observer : null,
      received_at: c.receivedAt,
    }),
  };
}

/** The columns a view reads. */
const VIEW_COLUMNS: ScanColumn[] = ['event_id', 'type', 'observer'];

/** Events examined at most for one page; past it the page ends early, with a cursor to go on. */
const MAX_PAGE_SCAN = 1_000_000;
/** Chunk headers read per step of a listing (newest last event first). */
const HEAD_PAGE = 64;

interface Candidate {
  c: LoadedChunk;
  i: number;
  ts: number;
  seq: number;
}

/** (ts, seq) descending. */
const newestFirst = (a: Candidate, b: Candidate) => b.ts - a.ts || b.seq - a.seq;

/**
 * Newest first by event time, cursor-paginated. Chunks are read in order of their newest event;
 * once a page is full and the next chunk's newest event is older than the page's oldest, no later
 * chunk can change the page.
 */
export async function listEvents(
  db: Kysely<MonitorTables>,
  _dialect: Dialect,
  f: EventFilter,
  limit: number,
  cursor?: string,
): Promise<{ items: EventView[]; nextCursor: string | null }> {
  const exact = f.q !== undefined && f.field !== undefined && FIELD_COLUMNS[f.field] === undefined;
  const pred = compileFilter(f);
  // The scan reads what the filter tests; the page's views are read afterwards, for its events only
  // (unless the exact field check needs each candidate's document).
  const columns = exact ? [...new Set([...pred.columns, ...VIEW_COLUMNS])] : pred.columns;
  const after = cursor ? decodeCursor(cursor) : undefined;
  // Events strictly before the cursor, in (ts, seq) order.
  const before = (ts: number, seq: number) => !after || ts < after[0] || (ts === after[0] && seq < after[1]);
  const to = after ? Math.min(f.to ?? Infinity, after[0] + 1) : f.to;
  const where = chunkWhere({ orgs: f.orgs, from: f.from, to: to === Infinity ? undefined : to });
  let found: Candidate[] = [];
  let scanned = 0;
  let headAfter: [number, number] | undefined;
  let boundary: number | undefined; // set when the scan cap ends the page early
  let exhausted = false;
  outer: for (;;) {
    let q = db.selectFrom('monitor_event_chunks').select(['seq', 'ts_max']).where(where);
    if (headAfter) {
      const [m, s] = headAfter;
      q = q.where((eb) => eb.or([eb('ts_max', '<', m), eb.and([eb('ts_max', '=', m), eb('seq', '<', s)])]));
    }
    const heads = await q.orderBy('ts_max', 'desc').orderBy('seq', 'desc').limit(HEAD_PAGE).execute();
    if (heads.length === 0) {
      exhausted = true;
      break;
    }
    for (let h = 0; h < heads.length; h += 8) {
      const group = heads.slice(h, h + 8);
      const newest = Number(group[0]!.ts_max);
      if (found.length >= limit && found[limit - 1]!.ts > newest) break outer;
      if (scanned >= MAX_PAGE_SCAN && headAfter && newest < headAfter[0]) {
        boundary = newest;
        break outer;
      }
      const chunks = await loadChunks(
        db,
        group.map((g) => Number(g.seq)),
        columns,
        exact || pred.readsRaw,
      );
      for (const c of chunks) {
        const ts = c.ts();
        scanned += c.count;
        for (let i = 0; i < c.count; i++) {
          const t = ts[i]!;
          if (!inRange(c, f.from, f.to, i) || !before(t, c.seq + i) || !pred.test(c, i)) continue;
          if (exact && !docFieldContains(view(c, i).doc, f.field!, f.q!)) continue;
          found.push({ c, i, ts: t, seq: c.seq + i });
        }
      }
      found.sort(newestFirst);
      if (found.length > limit) found = found.slice(0, limit + 1); // one more says whether a next page exists
      const last = group[group.length - 1]!;
      headAfter = [Number(last.ts_max), Number(last.seq)];
    }
    if (heads.length < HEAD_PAGE) {
      exhausted = true;
      break;
    }
  }
  if (boundary !== undefined) {
    // Everything newer than the boundary has been seen; older events come with the next page.
    const page = found.filter((x) => x.ts > boundary!).slice(0, limit);
    return { items: await viewsOf(db, page), nextCursor: encodeCursor([boundary + 1, 0]) };
  }
  const page = found.slice(0, limit);
  const more = found.length > limit || (!exhausted && page.length === limit);
  const last = page[page.length - 1];
  return {
    items: await viewsOf(db, page),
    nextCursor: more && last ? encodeCursor([last.ts, last.seq]) : null,
  };
}

/** Views of events picked by a scan that did not read them whole: their chunks are read again, with the records. */
async function viewsOf(db: Kysely<MonitorTables>, picked: Array<{ c: LoadedChunk; i: number }>): Promise<EventView[]> {
  const chunks = new Map(
    (await loadChunks(db, [...new Set(picked.map((h) => h.c.seq))], VIEW_COLUMNS, true)).map((c) => [c.seq, c]),
  );
  return picked.map((h) => view(chunks.get(h.c.seq)!, h.i));
}

/** The chunk holding each seq: the one with the largest first seq not above it. */
async function chunkSeqsOf(db: Kysely<MonitorTables>, seqs: number[]): Promise<number[]> {
  const firsts = new Set<number>();
  let coveredTo = -1; // seqs below this fall in the last chunk found
  for (const s of [...seqs].sort((a, b) => a - b)) {
    if (s < coveredTo) continue;
    const head = await db
      .selectFrom('monitor_event_chunks')
      .select(['seq', 'count'])
      .where('seq', '<=', s)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!head) continue;
    const first = Number(head.seq);
    if (s < first + Number(head.count)) {
      firsts.add(first);
      coveredTo = first + Number(head.count);
    }
  }
  return [...firsts];
}

export async function eventsBySeq(db: Kysely<MonitorTables>, seqs: number[]): Promise<EventView[]> {
  if (seqs.length === 0) return [];
  const wanted = new Set(seqs);
  const chunks = await loadChunks(db, await chunkSeqsOf(db, seqs), VIEW_COLUMNS, true);
  const out: Array<{ v: EventView; ts: number }> = [];
  for (const c of chunks)
    for (let i = 0; i < c.count; i++) if (wanted.has(c.seq + i)) out.push({ v: view(c, i), ts: c.ts()[i]! });
  return out.sort((a, b) => a.ts - b.ts || a.v.seq - b.v.seq).map((x) => x.v);
}

/**
 * How far around an alert's time span its flows' other events are looked for: Suricata writes a
 * flow's records while the flow lives and its flow record when it ends (by default at most an hour
 * or so after the alert, when the flow times out).
 */
export const FLOW_WINDOW_MS = 2 * 3_600_000;

/** Events of the given flows of one city, oldest first, in a time window (see FLOW_WINDOW_MS). */
export async function eventsByFlow(
  db: Kysely<MonitorTables>,
  org: string,
  flowIds: string[],
  limit: number,
  window: { from: number; to: number },
): Promise<EventView[]> {
  if (flowIds.length === 0) return [];
  const flows = new Set(flowIds);
  const hits: Array<{ c: LoadedChunk; i: number; ts: number }> = [];
  await forEachChunk(db, { orgs: [org], ...window }, ['flow_id'], false, (c) => {
    const col = c.col('flow_id');
    for (let i = 0; i < c.count; i++) {
      const v = col[i];
      if (v !== null && flows.has(String(v))) hits.push({ c, i, ts: c.ts()[i]! });
    }
  });
  hits.sort((a, b) => a.ts - b.ts || a.c.seq + a.i - (b.c.seq + b.i));
  return viewsOf(db, hits.slice(0, limit));
}

/** Counts per time bucket of `intervalMs`, oldest first; empty buckets omitted. */
export async function eventHistogram(
  db: Kysely<MonitorTables>,
  _dialect: Dialect,
  f: EventFilter,
  intervalMs: number,
): Promise<Array<{ t: number; count: number }>> {
  if (f.from === undefined || f.to === undefined)
    throw new MsecError('MONITOR_QUERY_INVALID', 'a histogram needs `from` and `to`', { status: 400 });
  if ((f.to - f.from) / intervalMs > 10_000)
    throw new MsecError('MONITOR_QUERY_INVALID', 'too many buckets: widen `interval` (at most 10000 buckets)', {
      status: 400,
    });
  const iv = Math.floor(intervalMs);
  const pred = compileFilter(f);
  const counts = new Map<number, number>();
  await forEachChunk(db, f, pred.columns, pred.readsRaw, (c) => {
    const ts = c.ts();
    for (let i = 0; i < c.count; i++) {
      if (!inRange(c, f.from, f.to, i) || !pred.test(c, i)) continue;
      const t = Math.floor(ts[i]! / iv) * iv;
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  });
  return [...counts].sort((a, b) => a[0] - b[0]).map(([t, count]) => ({ t, count }));
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
  _dialect: Dialect,
  f: EventFilter,
  field: TopField,
  n: number,
): Promise<Array<{ key: string | number; count: number }>> {
  const col = TOP_FIELDS[field];
  const pred = compileFilter(f);
  const counts = new Map<string | number, number>();
  await forEachChunk(db, f, [...new Set([...pred.columns, col])], pred.readsRaw, (c) => {
    const values = c.col(col);
    for (let i = 0; i < c.count; i++) {
      const v = values[i];
      if (v === null || v === undefined || !inRange(c, f.from, f.to, i) || !pred.test(c, i)) continue;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
  });
  const byKey = (a: string | number, b: string | number) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  return [...counts]
    .sort((a, b) => b[1] - a[1] || byKey(a[0], b[0]))
    .slice(0, n)
    .map(([key, count]) => ({ key, count }));
}
