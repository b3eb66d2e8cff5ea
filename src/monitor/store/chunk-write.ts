import type { Insertable } from 'kysely';
import type { EventColumns, NormalisedEvent } from '../normalise/types.ts';
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

/** One event as a chunk stores it (an EventToStore is one). */
export interface ChunkEvent {
  id: string;
  event: Pick<NormalisedEvent, 'type' | 'timeMs' | 'columns' | 'raw'>;
}

export type ChunkRow = Insertable<MonitorTables['monitor_event_chunks']>;

/**
 * The query columns of `events`, one array each, filled in one pass with a named read per field
 * (reading `columns[col]` for each column name was a keyed look-up per value).
 */
function columnArrays(events: readonly ChunkEvent[]): Record<QueryColumn, ColumnValue[]> {
  const n = events.length;
  const a = (): ColumnValue[] => new Array<ColumnValue>(n);
  const out = {
    dataset: a(),
    severity: a(),
    observer: a(),
    src_ip: a(),
    src_port: a(),
    dst_ip: a(),
    dst_port: a(),
    transport: a(),
    protocol: a(),
    flow_id: a(),
    signature: a(),
    signature_id: a(),
    technique: a(),
  } satisfies Record<QueryColumn, ColumnValue[]>;
  for (let i = 0; i < n; i++) {
    const c = (events[i] as ChunkEvent).event.columns;
    out.dataset[i] = c.dataset;
    out.severity[i] = c.severity;
    out.observer[i] = c.observer;
    out.src_ip[i] = c.src_ip;
    out.src_port[i] = c.src_port;
    out.dst_ip[i] = c.dst_ip;
    out.dst_port[i] = c.dst_port;
    out.transport[i] = c.transport;
    out.protocol[i] = c.protocol;
    out.flow_id[i] = c.flow_id;
    out.signature[i] = c.signature;
    out.signature_id[i] = c.signature_id;
    out.technique[i] = c.technique;
  }
  return out;
}

/** The row of one chunk: `events` sorted by time, numbered from `firstSeq`. */
export function encodeChunk(
  org: string,
  receivedAt: number,
  firstSeq: number,
  events: readonly ChunkEvent[],
): ChunkRow {
  const n = events.length;
  const tsMin = events[0]!.event.timeMs;
  const raws = new Array<string>(n);
  const times = new Array<number>(n);
  const ids = new Array<string>(n);
  const types = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const e = events[i] as ChunkEvent;
    raws[i] = e.event.raw;
    times[i] = e.event.timeMs;
    ids[i] = e.id;
    types[i] = e.event.type;
  }
  const raw = encodeRaw(raws);
  const columns = columnArrays(events);
  const row: ChunkRow = {
    seq: firstSeq,
    org_id: org,
    count: n,
    ts_min: tsMin,
    ts_max: times[n - 1]!,
    received_at: receivedAt,
    bytes: 0,
    ts: encodeTimes(times, tsMin),
    event_id: JSON.stringify(ids),
    type: encodeColumn(types),
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
  let bytes = raw.length + row.ts.length + row.event_id.length + row.type.length;
  for (const col of QUERY_COLUMNS) {
    const text = encodeColumn(columns[col]);
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
