import { sql, type Kysely } from 'kysely';
import { columnTypes, type Dialect } from '../../core/index.ts';
import type { EventColumns, IngestType } from '../normalise/types.ts';
import { byTime, CHUNK_EVENTS, encodeChunk, QUERY_COLUMNS, type ChunkEvent } from './chunk-write.ts';

const NUMERIC = new Set<string>(['severity', 'src_port', 'dst_port', 'signature_id']);

/** Old rows read per step of the carry-over. */
const PAGE = 10_000;

/** Creates the chunk tables (see schema.ts, monitor_event_chunks). */
async function createChunkTables(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);
  let chunks = db.schema
    .createTable('monitor_event_chunks')
    .addColumn('seq', t.bigint, (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('ts_min', t.bigint, (c) => c.notNull())
    .addColumn('ts_max', t.bigint, (c) => c.notNull())
    .addColumn('received_at', t.bigint, (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    // Time first and the records last: a query that reads only times stops early in the row.
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull());
  for (const col of QUERY_COLUMNS) chunks = chunks.addColumn(col, 'text', (c) => c.notNull());
  await chunks.addColumn('raw', t.blob, (c) => c.notNull()).execute();
  // Chunks of a city overlapping a time range, newest first; covering, so the header scan reads no row.
  await db.schema
    .createIndex('monitor_event_chunks_org_time')
    .on('monitor_event_chunks')
    .columns(['org_id', 'ts_max', 'ts_min', 'seq'])
    .execute();
  await db.schema
    .createIndex('monitor_event_chunks_received')
    .on('monitor_event_chunks')
    .column('received_at')
    .execute();
  let ids = db.schema
    .createTable('monitor_event_ids')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('seq', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('monitor_event_ids_pk', ['org_id', 'event_id']);
  // SQLite: the key is the table (one b-tree to write per event, not a table and an index).
  if (dialect === 'sqlite') ids = ids.modifyEnd(sql`without rowid`);
  await ids.execute();
  await db.schema
    .createTable('monitor_event_seq')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('next', t.bigint, (c) => c.notNull())
    .execute();
}

interface OldRow extends EventColumns {
  seq: number;
  org_id: string;
  event_id: string;
  ts: number;
  received_at: number;
  type: string;
  raw: string;
}

/**
 * Moves the per-event table of monitor_001 into chunks, then drops it. Events get new seqs, above
 * every old one, and alert links follow them. Old rows are grouped as they were stored: by city and
 * receive time, in seq order, so each chunk is still one batch.
 */
export async function migrateToChunks(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await createChunkTables(db, dialect);
  const max = await db
    .selectFrom('monitor_events')
    .select((eb) => eb.fn.max('seq').as('m'))
    .executeTakeFirst();
  let next = Number((max as { m: unknown } | undefined)?.m ?? 0) + 1;
  const linkRows = (await db.selectFrom('monitor_alert_events').selectAll().execute()) as Array<{
    alert_id: string;
    event_seq: number;
  }>;
  const linksOf = new Map<number, string[]>();
  for (const l of linkRows) {
    const s = Number(l.event_seq);
    let list = linksOf.get(s);
    if (!list) linksOf.set(s, (list = []));
    list.push(l.alert_id);
  }
  const newLinks: Array<{ alert_id: string; event_seq: number }> = [];
  let group: OldRow[] = [];
  const flush = async () => {
    if (group.length === 0) return;
    const { org_id: org, received_at: receivedAt } = group[0]!;
    const sorted = byTime(group.map((r) => ({ r, timeMs: Number(r.ts) })));
    for (let i = 0; i < sorted.length; i += CHUNK_EVENTS) {
      const part = sorted.slice(i, i + CHUNK_EVENTS);
      const first = next;
      next += part.length;
      const events: ChunkEvent[] = part.map(({ r, timeMs }, k) => {
        for (const alertId of linksOf.get(Number(r.seq)) ?? [])
          newLinks.push({ alert_id: alertId, event_seq: first + k });
        const columns = {} as Record<string, unknown>;
        for (const col of QUERY_COLUMNS) {
          const v = r[col];
          columns[col] = v === null || !NUMERIC.has(col) ? v : Number(v); // PostgreSQL hands bigints back as text
        }
        return {
          id: r.event_id,
          event: { type: r.type as IngestType, timeMs, columns: columns as unknown as EventColumns, raw: r.raw },
        };
      });
      await db
        .insertInto('monitor_event_chunks')
        .values(encodeChunk(org, Number(receivedAt), first, events))
        .execute();
      await db
        .insertInto('monitor_event_ids')
        .values(part.map(({ r }, k) => ({ org_id: org, event_id: r.event_id, seq: first + k })))
        .execute();
    }
    group = [];
  };
  let after = 0;
  for (;;) {
    const rows = (await db
      .selectFrom('monitor_events')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(PAGE)
      .execute()) as OldRow[];
    for (const r of rows) {
      const head = group[0];
      if (
        head &&
        (head.org_id !== r.org_id || Number(head.received_at) !== Number(r.received_at) || group.length >= CHUNK_EVENTS)
      )
        await flush();
      group.push(r);
    }
    if (rows.length < PAGE) break;
    after = Number(rows[rows.length - 1]!.seq);
  }
  await flush();
  await db.deleteFrom('monitor_alert_events').execute();
  for (let i = 0; i < newLinks.length; i += 2000)
    await db
      .insertInto('monitor_alert_events')
      .values(newLinks.slice(i, i + 2000))
      .execute();
  await db.insertInto('monitor_event_seq').values({ id: 1, next }).execute();
  await db.schema.dropTable('monitor_events').execute();
}
