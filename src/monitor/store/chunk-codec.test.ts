import fc from 'fast-check';
import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeColumn, decodeRaw, decodeTimes, encodeColumn, encodeRaw, encodeTimes } from './chunk-codec.ts';

describe('chunk codec', () => {
  it('gives back any records, in order, whatever they hold', () => {
    // Any UTF-16 units, lone surrogates and newlines included.
    const unit = fc.nat(0xffff).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit })), { maxLength: 40 }), (raws) => {
        expect(decodeRaw(encodeRaw(raws), raws.length)).toEqual(raws);
      }),
    );
  });

  it('writes lines as newline-led text and falls back to JSON for a record with a newline', () => {
    const lines = ['{"a":1}', '{"b":"é"}', ''];
    expect(decodeRaw(encodeRaw(lines), 3)).toEqual(lines);
    const multi = ['one', 'two\nlines'];
    expect(decodeRaw(encodeRaw(multi), 2)).toEqual(multi);
    expect(decodeRaw(encodeRaw(['x\ud800y']), 1)).toEqual(['x\ud800y']);
  });

  it('reads chunks written as a JSON array (the form before newline-led text)', () => {
    const old = brotliCompressSync(JSON.stringify(['{"a":1}', '{"b":2}']));
    expect(decodeRaw(old, 2)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('grows past its buffer for large records and stays correct after', () => {
    const big = 'x'.repeat(700_000);
    const raws = [big, `${big}é`, 'small'];
    expect(decodeRaw(encodeRaw(raws), 3)).toEqual(raws);
    expect(decodeRaw(encodeRaw(['after']), 1)).toEqual(['after']);
  });

  it('refuses a chunk whose record count differs from its header', () => {
    expect(() => decodeRaw(encodeRaw(['a', 'b']), 3)).toThrow(/holds 2 values/);
  });

  it('round-trips columns in each of their forms, and times', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom('a', 'b', null, 1), fc.string(), fc.integer()), {
          minLength: 1,
          maxLength: 200,
        }),
        (values) => {
          expect(decodeColumn(encodeColumn(values), values.length)).toEqual(values);
        },
      ),
    );
    expect(encodeColumn(['g', 'g'])).toBe('{"c":"g"}');
    // A chunk's worth: mostly distinct values are a plain array, repeating ones a dictionary.
    const distinct = Array.from({ length: 1024 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    expect(JSON.parse(encodeColumn(distinct))).toEqual(distinct);
    const ports = Array.from({ length: 1024 }, (_, i) => [80, 443, null][i % 3]!);
    expect(JSON.parse(encodeColumn(ports))).toMatchObject({ d: [80, 443, null] });
    expect(decodeColumn(encodeColumn(ports), 1024)).toEqual(ports);
    const late = [...distinct.slice(0, 128), ...Array.from({ length: 896 }, () => 'x')];
    expect(decodeColumn(encodeColumn(late), 1024)).toEqual(late);
    const times = [1000, 1000, 1500, 99_000];
    expect(decodeTimes(encodeTimes(times, 1000), 1000, 4)).toEqual(times);
  });
});
