import { readSync } from 'node:fs';
import { recordStart, type RecordBatch } from './records.ts';

/** Helpers of the spool over its NDJSON records (one record per line, records.ts). */
const NL = 10;

/** Counts complete records in a segment file: total, those ending before `mark`, and where the last one ends. */
export function countRecords(fd: number, mark: number): { records: number; lastNewlineEnd: number; before: number } {
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let pos = 0;
  let records = 0;
  let before = 0;
  let lastNewlineEnd = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    let i = buf.indexOf(NL, 0);
    while (i >= 0 && i < n) {
      records++;
      if (pos + i < mark) before++;
      lastNewlineEnd = pos + i + 1;
      i = buf.indexOf(NL, i + 1);
    }
    pos += n;
  }
  return { records, lastNewlineEnd, before };
}

export function recordEnds(buf: Buffer, maxEvents: number): number[] {
  const ends: number[] = [];
  let i = buf.indexOf(NL);
  while (i >= 0 && ends.length < maxEvents) {
    ends.push(i + 1);
    i = buf.indexOf(NL, i + 1);
  }
  return ends;
}

/** How many records of `batch` from `from` on fit in `free` bytes. */
export function fittingPrefix(batch: RecordBatch, from: number, free: number): number {
  const base = recordStart(batch, from);
  let n = 0;
  while (from + n < batch.ends.length && batch.ends[from + n]! - base <= free) n++;
  return n;
}

/** How many of the last records of `batch` (from `from` on) fit in `free` bytes. */
export function fittingSuffix(batch: RecordBatch, from: number, free: number): number {
  const end = batch.data.length;
  let n = 0;
  while (n < batch.ends.length - from && end - recordStart(batch, batch.ends.length - 1 - n) <= free) n++;
  return n;
}
