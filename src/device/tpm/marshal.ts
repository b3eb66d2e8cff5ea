import { MsecError } from '../../core/errors.ts';

/** Growable big-endian writer for TPM command bodies. */
export class TpmWriter {
  private chunks: Buffer[] = [];
  private length = 0;

  u8(value: number): this {
    return this.push(Buffer.from([value & 0xff]));
  }
  u16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(value & 0xffff);
    return this.push(b);
  }
  u32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value >>> 0);
    return this.push(b);
  }
  i32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value | 0);
    return this.push(b);
  }
  bytes(data: Uint8Array): this {
    return this.push(Buffer.from(data));
  }
  /** TPM2B: u16 size followed by the bytes. */
  tpm2b(data: Uint8Array): this {
    if (data.length > 0xffff) throw new MsecError('VALIDATION_FAILED', 'TPM2B larger than 65535 bytes');
    return this.u16(data.length).bytes(data);
  }
  get size(): number {
    return this.length;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
  private push(b: Buffer): this {
    this.chunks.push(b);
    this.length += b.length;
    return this;
  }
}

/**
 * Bounds-checked big-endian reader over attacker-controlled bytes (TPM responses, device quotes).
 * Every overrun throws an MsecError with the code given at construction, never a RangeError.
 */
export class TpmReader {
  private offset = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly errorCode = 'TPM_MALFORMED_RESPONSE',
  ) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }
  get position(): number {
    return this.offset;
  }

  fail(message: string): never {
    throw new MsecError(this.errorCode, message, { status: 502, details: { offset: this.offset } });
  }

  private need(n: number, what: string): void {
    if (n > this.remaining) this.fail(`truncated ${what}: need ${n} bytes, have ${this.remaining}`);
  }

  u8(): number {
    this.need(1, 'u8');
    return this.buf.readUInt8(this.offset++);
  }
  u16(): number {
    this.need(2, 'u16');
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4, 'u32');
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  u64(): bigint {
    this.need(8, 'u64');
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const out = Buffer.from(this.buf.subarray(this.offset, this.offset + n));
    this.offset += n;
    return out;
  }
  /** TPM2B: u16 size + bytes; `max` caps the size a structure may claim. */
  tpm2b(what = 'TPM2B', max = 0xffff): Buffer {
    const size = this.u16();
    if (size > max) this.fail(`${what} size ${size} exceeds ${max}`);
    return this.bytes(size, what);
  }
  /** A nested reader over the next TPM2B's contents (for sized structures). */
  sized(what: string): TpmReader {
    return new TpmReader(this.tpm2b(what), this.errorCode);
  }
  rest(): Buffer {
    return this.bytes(this.remaining);
  }
  expectEnd(what: string): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} trailing bytes after ${what}`);
  }
}
