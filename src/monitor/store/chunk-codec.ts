import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/** A value of a query column: text, a number, or absent. */
export type ColumnValue = string | number | null;

/**
 * One query column of a chunk as JSON text, in the most compact of three forms:
 * `{"c":v}` when every event has the same value (a gateway's chunk has one observer),
 * `{"d":[distinct…],"i":[index…]}` when few values repeat (datasets, ports, signatures),
 * or the plain array (sources, flow ids). Decoding never needs to know which form was chosen.
 */
export function encodeColumn(values: readonly ColumnValue[]): string {
  const n = values.length;
  const first = n > 0 ? values[0]! : null;
  let i = 1;
  while (i < n && values[i] === first) i++;
  if (i >= n) return JSON.stringify({ c: first });
  const limit = n >> 2; // a dictionary pays off only when values repeat
  // Columns of mostly distinct values (sources, flow ids) show it in their first values: skip the
  // dictionary that would be given up after a quarter of the chunk.
  if (n >= 512 && distinctIn(values, 128) > 112) return JSON.stringify(values);
  const index = new Map<ColumnValue, number>();
  const idx = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    const v = values[j]!;
    let k = index.get(v);
    if (k === undefined) {
      if (index.size >= limit) return JSON.stringify(values);
      index.set(v, (k = index.size));
    }
    idx[j] = k;
  }
  return JSON.stringify({ d: [...index.keys()], i: idx });
}

/** Distinct values among the first `m`. */
function distinctIn(values: readonly ColumnValue[], m: number): number {
  const seen = new Set<ColumnValue>();
  for (let j = 0; j < m; j++) seen.add(values[j]!);
  return seen.size;
}

/** The values of a column of `count` events, whichever form it was stored in. */
export function decodeColumn(text: string, count: number): ColumnValue[] {
  const v = JSON.parse(text) as unknown;
  if (Array.isArray(v)) return checkLength(v as ColumnValue[], count);
  const o = v as { c?: ColumnValue; d?: ColumnValue[]; i?: number[] };
  if (o && 'c' in o) return new Array<ColumnValue>(count).fill(o.c ?? null);
  if (o && Array.isArray(o.d) && Array.isArray(o.i)) {
    const d = o.d;
    return checkLength(
      o.i.map((k) => d[k] ?? null),
      count,
    );
  }
  throw new Error('monitor chunk column is not in a known form');
}

function checkLength<T>(xs: T[], count: number): T[] {
  if (xs.length !== count) throw new Error(`monitor chunk column holds ${xs.length} values, the chunk ${count}`);
  return xs;
}

/** Event times as offsets from the chunk's first (sorted, so small and non-negative). */
export function encodeTimes(times: readonly number[], base: number): string {
  return JSON.stringify(times.map((t) => t - base));
}

export function decodeTimes(text: string, base: number, count: number): number[] {
  return checkLength(
    (JSON.parse(text) as number[]).map((d) => base + d),
    count,
  );
}

// Quality 1 with a 256 KiB window: EVE records of one gateway share most of their text, so even the
// fastest setting stores them ~10x smaller, at a few hundred MB/s (the ingest path cannot afford more).
const BROTLI = {
  params: {
    [constants.BROTLI_PARAM_QUALITY]: 1,
    [constants.BROTLI_PARAM_LGWIN]: 18,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
  },
};

/**
 * Records are written into one reused buffer: joining a chunk's strings and converting the result
 * cost more than compressing it. It grows for a chunk of large records and is let go after.
 */
// ES2024's String.prototype.isWellFormed (Node 20 has it; the ES2023 lib does not declare it).
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

const SCRATCH_BYTES = 1 << 20;
let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/**
 * The original records of a chunk, brotli-compressed, as a newline before each record (records are
 * lines, so none holds a newline). A chunk with a record that does hold one, or a lone surrogate
 * (which UTF-8 cannot carry), is stored as a JSON array of strings instead, which is also the form
 * of chunks written before: decoding tells the two apart by the first byte.
 */
export function encodeRaw(raws: readonly string[]): Buffer {
  for (const r of raws)
    if (r.includes('\n') || !isWellFormed(r)) return brotliCompressSync(JSON.stringify(raws), BROTLI);
  let buf = scratch;
  let at = 0;
  for (const r of raws) {
    // A UTF-16 unit is at most 3 UTF-8 bytes: only a record near the end needs its bytes counted.
    if (buf.length - at < r.length * 3 + 1) {
      const need = at + Buffer.byteLength(r) + 1;
      if (buf.length < need) {
        const grown = Buffer.allocUnsafe(Math.max(need, buf.length * 2));
        buf.copy(grown, 0, 0, at);
        buf = grown;
      }
    }
    buf[at++] = 0x0a;
    at += buf.write(r, at, 'utf8');
  }
  const out = brotliCompressSync(buf.subarray(0, at), BROTLI);
  if (buf.length <= 16 * SCRATCH_BYTES) scratch = buf;
  return out;
}

export function decodeRaw(blob: Uint8Array, count: number): string[] {
  const text = brotliDecompressSync(blob).toString('utf8');
  if (text === '') return checkLength([], count);
  if (text.charCodeAt(0) !== 0x0a) return checkLength(JSON.parse(text) as string[], count);
  return checkLength(text.slice(1).split('\n'), count);
}
