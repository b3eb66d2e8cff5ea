import type { LineType, SkipReason } from './lines.ts';

/** Sensor names become part of every event id, so they keep to the id alphabet of CONTRACTS.md. */
export const SENSOR_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * One spooled event, already in its wire form (a member of the batch's `events` array), so shipping
 * never re-serialises: a batch body is the spooled bytes with newlines turned into commas.
 * `id` is built from the sensor name and numbers only, so it needs no escaping.
 */
export function encodeRecord(id: string, type: LineType, line: string, fileField: string): string {
  return `{"id":"${id}","type":"${type}","line":${JSON.stringify(line)}${fileField}}`;
}

/** The `,"file":…` member for a path, computed once per file. */
export function fileField(path: string | undefined): string {
  return path === undefined ? '' : `,"file":${JSON.stringify(path)}`;
}

/**
 * Where inputs put what they read. Resolves with how many records, from the first, were taken (in the
 * spool, or counted as dropped); fewer than all when the disk filled up part way.
 */
export interface RecordSink {
  write(records: string[], type: LineType, skipped: Partial<Record<SkipReason, number>>): Promise<number>;
}
