import { readSync } from 'node:fs';

/** Helpers of the spool over its NDJSON records (one JSON event per line). */
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

export function fittingPrefix(records: readonly string[], free: number): number {
  let used = 0;
  for (let i = 0; i < records.length; i++) {
    used += Buffer.byteLength(records[i]!) + 1;
    if (used > free) return i;
  }
  return records.length;
}

export function fittingSuffix(records: readonly string[], free: number): number {
  let used = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    used += Buffer.byteLength(records[i]!) + 1;
    if (used > free) return records.length - 1 - i;
  }
  return records.length;
}
