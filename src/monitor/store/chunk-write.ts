import type { Insertable } from 'kysely';
import type { EventColumns } from '../normalise/types.ts';
import { encodeColumn, encodeRaw, encodeTimes, type ColumnValue } from './chunk-codec.ts';
import type { MonitorTables } from './schema.ts';

/** Events a chunk holds at most: small enough that a query decodes little it does not need. */
export const CHUNK_EVENTS = 1024;

/** The per-event query columns a chunk keeps, besides time, id and type. */
export const QUERY_COLUMNS = [
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
] as const satisfies ReadonlyArray<keyof EventColumns>;
export type QueryColumn = (typeof QUERY_COLUMNS)[number];

/** One event as a chunk stores it. */
export interface ChunkEvent {
  id: string;
  type: string;
  timeMs: number;
  columns: EventColumns;
  raw: string;
}

export type ChunkRow = Insertable<MonitorTables['monitor_event_chunks']>;

/** The row of one chunk: `events` sorted by time, numbered from `firstSeq`. */
export function encodeChunk(
  org: string,
  receivedAt: number,
  firstSeq: number,
  events: readonly ChunkEvent[],
): ChunkRow {
  const n = events.length;
  const tsMin = events[0]!.timeMs;
  const raw = encodeRaw(events.map((e) => e.raw));
  const row: ChunkRow = {
    seq: firstSeq,
    org_id: org,
    count: n,
    ts_min: tsMin,
    ts_max: events[n - 1]!.timeMs,
    received_at: receivedAt,
    bytes: 0,
    ts: encodeTimes(
      events.map((e) => e.timeMs),
      tsMin,
    ),
    event_id: JSON.stringify(events.map((e) => e.id)),
    type: encodeColumn(events.map((e) => e.type)),
    dataset: '',
    severity: '',
    observer: '',
    src_ip: '',
    src_port: '',
    dst_ip: '',
    dst_port: '',
    transport: '',
    protocol: '',
    flow_id: '',
    signature: '',
    signature_id: '',
    technique: '',
    raw,
  };
  const values: ColumnValue[] = new Array<ColumnValue>(n);
  let bytes = raw.length + row.ts.length + row.event_id.length + row.type.length;
  for (const col of QUERY_COLUMNS) {
    for (let i = 0; i < n; i++) values[i] = events[i]!.columns[col];
    const text = encodeColumn(values);
    row[col] = text;
    bytes += text.length;
  }
  row.bytes = bytes;
  return row;
}

/** Sorts by event time, keeping arrival order among equal times (a stable sort). */
export function byTime<T extends { timeMs: number }>(events: T[]): T[] {
  return events.sort((a, b) => a.timeMs - b.timeMs);
}
