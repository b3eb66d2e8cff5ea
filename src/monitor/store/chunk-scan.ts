import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { decodeColumn, decodeRaw, decodeTimes, type ColumnValue } from './chunk-codec.ts';
import type { EventAt, EventFilter, ScanColumn } from './filters.ts';
import type { MonitorTables } from './schema.ts';

/** A chunk as a query reads it: the columns it asked for, decoded when first used. */
export class LoadedChunk implements EventAt {
  readonly seq: number;
  readonly org: string;
  readonly count: number;
  readonly receivedAt: number;
  private readonly row: Record<string, unknown>;
  private readonly decoded = new Map<ScanColumn, ColumnValue[]>();
  private times: number[] | undefined;
  private raws: string[] | undefined;

  constructor(row: Record<string, unknown>) {
    this.row = row;
    this.seq = Number(row.seq);
    this.org = String(row.org_id);
    this.count = Number(row.count);
    this.receivedAt = Number(row.received_at);
  }

  ts(): number[] {
    return (this.times ??= decodeTimes(String(this.row.ts), Number(this.row.ts_min), this.count));
  }

  col(name: ScanColumn): ColumnValue[] {
    let v = this.decoded.get(name);
    if (!v) {
      const text = this.row[name];
      if (typeof text !== 'string') throw new Error(`monitor chunk column ${name} was not loaded`);
      v = name === 'event_id' ? (JSON.parse(text) as string[]) : decodeColumn(text, this.count);
      this.decoded.set(name, v);
    }
    return v;
  }

  raw(): string[] {
    if (!this.raws) {
      const blob = this.row.raw;
      if (!(blob instanceof Uint8Array)) throw new Error('monitor chunk records were not loaded');
      this.raws = decodeRaw(blob, this.count);
    }
    return this.raws;
  }
}

type ChunkEb = ExpressionBuilder<MonitorTables, 'monitor_event_chunks'>;

/** The chunks that may hold events of the filter's cities and time range (by the chunk index). */
export function chunkWhere(f: Pick<EventFilter, 'orgs' | 'from' | 'to'>) {
  return (eb: ChunkEb) => {
    const and: Expression<SqlBool>[] = [];
    if (f.orgs !== 'all')
      and.push(
        f.orgs.length === 1
          ? eb('org_id', '=', f.orgs[0]!)
          : eb('org_id', 'in', f.orgs.length > 0 ? f.orgs : ['\u0000']),
      );
    if (f.from !== undefined) and.push(eb('ts_max', '>=', f.from));
    if (f.to !== undefined) and.push(eb('ts_min', '<', f.to));
    return eb.and(and);
  };
}

/** Chunks loaded per statement: a few MB of columns at most. */
const LOAD_GROUP = 32;

/** Loads chunks by first seq, with the columns named (and the original records if asked), in `seqs` order. */
export async function loadChunks(
  db: Kysely<MonitorTables>,
  seqs: readonly number[],
  columns: readonly ScanColumn[],
  withRaw: boolean,
): Promise<LoadedChunk[]> {
  const out: LoadedChunk[] = [];
  const select = [
    'seq',
    'org_id',
    'count',
    'ts_min',
    'received_at',
    'ts',
    ...new Set(columns),
    ...(withRaw ? (['raw'] as const) : []),
  ] as const;
  for (let i = 0; i < seqs.length; i += LOAD_GROUP) {
    const group = seqs.slice(i, i + LOAD_GROUP);
    const rows = await db.selectFrom('monitor_event_chunks').select(select).where('seq', 'in', group).execute();
    const bySeq = new Map(rows.map((r) => [Number(r.seq), new LoadedChunk(r as Record<string, unknown>)]));
    for (const s of group) {
      const c = bySeq.get(s);
      if (c) out.push(c);
    }
  }
  return out;
}

/** Calls `visit` for every chunk that may hold events of the filter's cities and time range. */
export async function forEachChunk(
  db: Kysely<MonitorTables>,
  f: Pick<EventFilter, 'orgs' | 'from' | 'to'>,
  columns: readonly ScanColumn[],
  withRaw: boolean,
  visit: (c: LoadedChunk) => void,
): Promise<void> {
  // The header list is an index-only scan; the chunks themselves are then read a group at a time.
  const heads = await db.selectFrom('monitor_event_chunks').select('seq').where(chunkWhere(f)).execute();
  const seqs = heads.map((h) => Number(h.seq));
  for (let i = 0; i < seqs.length; i += LOAD_GROUP)
    for (const c of await loadChunks(db, seqs.slice(i, i + LOAD_GROUP), columns, withRaw)) visit(c);
}

/** Events of a chunk inside [from, to), by index. */
export function inRange(c: LoadedChunk, from: number | undefined, to: number | undefined, i: number): boolean {
  const t = c.ts()[i]!;
  return (from === undefined || t >= from) && (to === undefined || t < to);
}
