import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitLines } from './lines.ts';

const MAX = 64;

describe('splitLines', () => {
  it('keeps a trailing partial line unconsumed until its newline arrives', () => {
    const buf = Buffer.from('{"a":1}\n{"b":');
    const r = splitLines(buf, 100, 'eve', MAX, false);
    expect(r.lines).toEqual([{ offset: 100, text: '{"a":1}' }]);
    expect(r.consumed).toBe(108);
    const again = splitLines(Buffer.from('{"b":2}\n'), r.consumed, 'eve', MAX, false);
    expect(again.lines).toEqual([{ offset: 108, text: '{"b":2}' }]);
  });

  it('counts and skips non-JSON, binary and huge lines without blocking the ones after them', () => {
    const huge = '{' + 'x'.repeat(MAX + 10) + '}';
    const buf = Buffer.concat([
      Buffer.from('not json\n'),
      Buffer.from([0xff, 0xfe, 0x7b, 0x7d, 10]),
      Buffer.from(huge + '\n{"ok":1}\n\n'),
    ]);
    const r = splitLines(buf, 0, 'eve', MAX, false);
    expect(r.lines.map((l) => l.text)).toEqual(['{"ok":1}']);
    expect(r.skipped).toEqual({ not_json: 1, binary: 1, huge: 1, empty: 1 });
  });

  it('skips a huge line that has no newline yet, then resumes after it', () => {
    const first = splitLines(Buffer.from('{' + 'y'.repeat(MAX * 2)), 0, 'json', MAX, false);
    expect(first.skipping).toBe(true);
    expect(first.skipped).toEqual({ huge: 1 });
    expect(first.consumed).toBe(MAX * 2 + 1);
    const rest = splitLines(Buffer.from('yyy}\n{"n":2}\n'), first.consumed, 'json', MAX, true);
    expect(rest.lines.map((l) => l.text)).toEqual(['{"n":2}']);
    expect(rest.skipping).toBe(false);
  });

  it('drops the NUL run a copytruncate hole leaves before a line, keeping the line', () => {
    const r = splitLines(Buffer.concat([Buffer.alloc(5), Buffer.from('{"z":1}\r\n')]), 0, 'eve', MAX, false);
    expect(r.lines).toEqual([{ offset: 5, text: '{"z":1}' }]);
  });

  it('for any bytes: every newline-terminated valid line comes out once, at its offset, and nothing else', () => {
    const lineArb = fc.oneof(
      fc
        .record({ a: fc.integer(), s: fc.string({ maxLength: 20 }) })
        .map((o) => ({ good: true, bytes: Buffer.from(JSON.stringify(o)) })),
      fc
        .uint8Array({ maxLength: 100 })
        .map((u) => ({ good: false, bytes: Buffer.from(u.filter((b) => b !== 10 && b !== 0x7b)) })),
    );
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 30 }), fc.uint8Array({ maxLength: 30 }), (lines, tail) => {
        const parts: Buffer[] = [];
        const expected: { offset: number; text: string }[] = [];
        let off = 0;
        for (const l of lines) {
          if (l.good && l.bytes.length <= MAX) expected.push({ offset: off, text: l.bytes.toString('utf8') });
          parts.push(l.bytes, Buffer.from('\n'));
          off += l.bytes.length + 1;
        }
        const partial = Buffer.from(tail.filter((b) => b !== 10)).subarray(0, MAX);
        const r = splitLines(Buffer.concat([...parts, partial]), 0, 'eve', MAX, false);
        expect(r.lines).toEqual(expected);
        expect(r.consumed).toBe(off);
        const skippedCount = Object.values(r.skipped).reduce((a, b) => a + (b ?? 0), 0);
        expect(skippedCount + r.lines.length).toBe(lines.length);
      }),
    );
  });
});
