import type { Line, LineType, SkipReason } from './lines.ts';

/** Sensor names become part of every event id, so they keep to the id alphabet of CONTRACTS.md. */
export const SENSOR_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Records in their wire form, one after the other: each record is one NDJSON line of the batch body
 * (docs/gateway-agent.md "Spool records"), newline included. `ends[i]` is the end of record i in `data`.
 */
export interface RecordBatch {
  data: Buffer;
  ends: number[];
}

/** Start of record i in `batch.data`. */
export const recordStart = (batch: RecordBatch, i: number): number => (i === 0 ? 0 : batch.ends[i - 1]!);

/** The records from `from` on (no copy of the bytes). */
export function recordsFrom(batch: RecordBatch, from: number): RecordBatch {
  if (from === 0) return batch;
  const off = recordStart(batch, from);
  return { data: batch.data.subarray(off), ends: batch.ends.slice(from).map((e) => e - off) };
}

/** Records given as strings (each without its newline): tests and tools. */
export function recordBatch(records: readonly string[]): RecordBatch {
  const ends: number[] = [];
  let end = 0;
  for (const r of records) ends.push((end += Buffer.byteLength(r) + 1));
  return { data: Buffer.from(records.map((r) => r + '\n').join('')), ends };
}

const ID_OPEN = Buffer.from('{"id":"');
const CLOSE_NL = Buffer.from('}\n');
/** Digits of the largest safe integer: the most an id's offset or sequence number can take. */
const MAX_DIGITS = 16;

/**
 * Builds the records of one read chunk as bytes, never decoding or escaping an eve/json line:
 *
 *   {"id":"<idPrefix><n>","type":"eve","file":"…","event":<the line's bytes as read>}
 *   {"id":"<idPrefix><n>","type":"auth","file":"…","line":"<the line as a JSON string>"}
 *
 * `event` comes last so a receiver finds the raw event as everything between `"event":` and the final
 * `}`. eve/json lines passed the reader's shape check (UTF-8, `{`…`}`); the receiver parses them
 * fully and rejects per item what is still not JSON. Ids are the sensor name and numbers only, so
 * they need no escaping.
 */
export class RecordEncoder {
  private readonly idPrefix: Buffer;
  /** `","type":"…"` + file member + `,"event":` (or `,"line":`). */
  private readonly mid: Buffer;
  private readonly raw: boolean;

  constructor(idPrefix: string, type: LineType, path: string | undefined) {
    this.idPrefix = Buffer.from(idPrefix, 'latin1');
    this.raw = type === 'eve' || type === 'json';
    const file = path === undefined ? '' : `,"file":${JSON.stringify(path)}`;
    this.mid = Buffer.from(`","type":"${type}"${file},"${this.raw ? 'event' : 'line'}":`);
  }

  /** The records of `lines` (found in `chunk`), the id of each being `idPrefix + (idBase + line.offset)`. */
  encode(chunk: Buffer, lines: readonly Line[], idBase: number): RecordBatch {
    const fixed = ID_OPEN.length + this.idPrefix.length + MAX_DIGITS + this.mid.length + CLOSE_NL.length;
    let size = lines.length * fixed;
    const texts: string[] = [];
    for (const l of lines) {
      if (this.raw) size += l.end - l.start;
      else {
        const t = JSON.stringify(l.text ?? chunk.toString('utf8', l.start, l.end));
        texts.push(t);
        size += Buffer.byteLength(t);
      }
    }
    const out = Buffer.allocUnsafe(size);
    const ends: number[] = new Array<number>(lines.length);
    let pos = 0;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      pos += ID_OPEN.copy(out, pos);
      pos += this.idPrefix.copy(out, pos);
      pos = writeUint(out, pos, idBase + l.offset);
      pos += this.mid.copy(out, pos);
      pos += this.raw ? chunk.copy(out, pos, l.start, l.end) : out.write(texts[i]!, pos, 'utf8');
      out[pos++] = 0x7d;
      out[pos++] = 0x0a;
      ends[i] = pos;
    }
    return { data: out.subarray(0, pos), ends };
  }
}

/** Writes a non-negative safe integer in decimal at `pos`; returns the position after it. */
function writeUint(out: Buffer, pos: number, n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  for (let i = pos + digits - 1; i >= pos; i--) {
    out[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return pos + digits;
}

/**
 * Where inputs put what they read. Resolves with how many records, from the first, were taken (in the
 * spool, or counted as dropped); fewer than all when the disk filled up part way.
 */
export interface RecordSink {
  write(records: RecordBatch, type: LineType, skipped: Partial<Record<SkipReason, number>>): Promise<number>;
}
