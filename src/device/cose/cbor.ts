/**
 * A small, strict CBOR (RFC 8949) codec for COSE messages that cross a trust boundary.
 *
 * Why not cbor-x for decoding: its decoder honours many extension tags with process-global state
 * (shared references that build cycles, packed tables, tag 27 constructing Error/RegExp from
 * attacker strings). COSE needs none of that. This decoder accepts only what COSE needs:
 * definite lengths, integers within the JavaScript safe range, text/byte strings, arrays, maps
 * with integer or text keys (no duplicates), tags (returned as CborTag), floats and the simple
 * values false/true/null. Anything else is COSE_MALFORMED, never a crash.
 *
 * The encoder writes the RFC 8949 §4.2.1 preferred forms (shortest heads) so Sig_structure,
 * Enc_structure and COSE_KDF_Context bytes are exact.
 */
import { coseError } from './errors.ts';

export type CborKey = number | string;
export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | Map<CborKey, CborValue> | CborTag;

export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

export interface DecodeLimits {
  /** Deepest nesting of arrays, maps and tags. */
  maxDepth?: number;
  /** Most items (array elements + map entries) in the whole message. */
  maxItems?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

class Reader {
  pos = 0;
  items = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly view: DataView,
    readonly maxDepth: number,
    readonly maxItems: number,
  ) {}

  need(n: number): void {
    if (n > this.buf.length - this.pos) throw coseError('COSE_MALFORMED', 'CBOR: truncated input');
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  /** Reads the argument of a head; returns a number within the safe integer range. */
  argument(info: number): number {
    if (info < 24) return info;
    switch (info) {
      case 24:
        return this.byte();
      case 25:
        this.need(2);
        this.pos += 2;
        return this.view.getUint16(this.pos - 2);
      case 26:
        this.need(4);
        this.pos += 4;
        return this.view.getUint32(this.pos - 4);
      case 27: {
        this.need(8);
        const v = this.view.getBigUint64(this.pos);
        this.pos += 8;
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw coseError('COSE_MALFORMED', 'CBOR: integer out of range');
        return Number(v);
      }
      default:
        throw coseError('COSE_MALFORMED', 'CBOR: indefinite lengths and reserved heads are not accepted');
    }
  }

  count(n: number): void {
    this.items += n;
    if (this.items > this.maxItems) throw coseError('COSE_MALFORMED', 'CBOR: too many items');
  }

  value(depth: number): CborValue {
    if (depth > this.maxDepth) throw coseError('COSE_MALFORMED', 'CBOR: nested too deeply');
    const head = this.byte();
    const major = head >> 5;
    const info = head & 0x1f;
    if (major === 7) return this.simple(info);
    const arg = this.argument(info);
    switch (major) {
      case 0:
        return arg;
      case 1:
        return -1 - arg;
      case 2:
        this.need(arg);
        this.pos += arg;
        return this.buf.slice(this.pos - arg, this.pos);
      case 3: {
        this.need(arg);
        this.pos += arg;
        try {
          return utf8.decode(this.buf.subarray(this.pos - arg, this.pos));
        } catch {
          throw coseError('COSE_MALFORMED', 'CBOR: invalid UTF-8 in text string');
        }
      }
      case 4: {
        this.count(arg);
        this.need(arg); // every element takes at least one byte: reject absurd lengths early
        const out: CborValue[] = [];
        for (let i = 0; i < arg; i++) out.push(this.value(depth + 1));
        return out;
      }
      case 5: {
        this.count(arg);
        this.need(arg * 2);
        const out = new Map<CborKey, CborValue>();
        for (let i = 0; i < arg; i++) {
          const key = this.value(depth + 1);
          if (typeof key !== 'string' && !(typeof key === 'number' && Number.isInteger(key))) {
            throw coseError('COSE_MALFORMED', 'CBOR: map keys must be integers or text');
          }
          if (out.has(key)) throw coseError('COSE_MALFORMED', 'CBOR: duplicate map key');
          out.set(key, this.value(depth + 1));
        }
        return out;
      }
      default: // 6: tag
        return new CborTag(arg, this.value(depth + 1));
    }
  }

  simple(info: number): CborValue {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 25: {
        this.need(2);
        this.pos += 2;
        return halfToNumber(this.view.getUint16(this.pos - 2));
      }
      case 26:
        this.need(4);
        this.pos += 4;
        return this.view.getFloat32(this.pos - 4);
      case 27:
        this.need(8);
        this.pos += 8;
        return this.view.getFloat64(this.pos - 8);
      default:
        throw coseError('COSE_MALFORMED', 'CBOR: unsupported simple value');
    }
  }
}

function halfToNumber(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Decodes exactly one CBOR item filling `bytes`; throws COSE_MALFORMED on anything else. */
export function decodeCbor(bytes: Uint8Array, limits: DecodeLimits = {}): CborValue {
  if (!(bytes instanceof Uint8Array)) throw coseError('COSE_MALFORMED', 'CBOR: input must be bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = new Reader(bytes, view, limits.maxDepth ?? 16, limits.maxItems ?? 4096);
  const value = reader.value(0);
  if (reader.pos !== bytes.length) throw coseError('COSE_MALFORMED', 'CBOR: trailing bytes after the item');
  return value;
}

// ---------------------------------------------------------------------------------------------
// Encoder

class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  len = 0;

  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  head(major: number, arg: number): void {
    this.grow(9);
    const m = major << 5;
    if (arg < 24) this.buf[this.len++] = m | arg;
    else if (arg < 0x100) {
      this.buf[this.len++] = m | 24;
      this.buf[this.len++] = arg;
    } else if (arg < 0x10000) {
      this.buf[this.len++] = m | 25;
      this.view.setUint16(this.len, arg);
      this.len += 2;
    } else if (arg < 0x100000000) {
      this.buf[this.len++] = m | 26;
      this.view.setUint32(this.len, arg);
      this.len += 4;
    } else {
      this.buf[this.len++] = m | 27;
      this.view.setBigUint64(this.len, BigInt(arg));
      this.len += 8;
    }
  }

  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  float(n: number): void {
    this.grow(9);
    if (Math.fround(n) === n || Number.isNaN(n)) {
      this.buf[this.len++] = 0xfa;
      this.view.setFloat32(this.len, n);
      this.len += 4;
    } else {
      this.buf[this.len++] = 0xfb;
      this.view.setFloat64(this.len, n);
      this.len += 8;
    }
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function write(w: Writer, v: CborValue): void {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
      if (v >= 0) w.head(0, v);
      else w.head(1, -1 - v);
    } else w.float(v);
  } else if (typeof v === 'string') {
    const b = utf8Encoder.encode(v);
    w.head(3, b.length);
    w.bytes(b);
  } else if (typeof v === 'boolean') {
    w.head(7, v ? 21 : 20);
  } else if (v === null) {
    w.head(7, 22);
  } else if (v instanceof Uint8Array) {
    w.head(2, v.length);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.head(4, v.length);
    for (const item of v) write(w, item);
  } else if (v instanceof Map) {
    // Core deterministic order (RFC 8949 §4.2.1): keys sorted by their encoded bytes.
    const entries = [...v.entries()].map(([k, val]) => ({ key: encodeCbor(k), val }));
    entries.sort((a, b) => compareBytes(a.key, b.key));
    w.head(5, entries.length);
    for (const e of entries) {
      w.bytes(e.key);
      write(w, e.val);
    }
  } else if (v instanceof CborTag) {
    w.head(6, v.tag);
    write(w, v.value);
  } else {
    throw coseError('COSE_MALFORMED', 'CBOR: value cannot be encoded');
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Encodes with preferred (shortest) heads and deterministic map order. */
export function encodeCbor(value: CborValue): Uint8Array {
  const w = new Writer();
  write(w, value);
  return w.result();
}
