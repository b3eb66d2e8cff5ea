import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitLines, type SplitResult } from './lines.ts';

const MAX = 64;
/** The lines found, as offset and text (eve/json lines stay bytes: decoded here for the check). */
const found = (chunk: Buffer, r: SplitResult) =>
  r.lines.map((l) => ({ offset: l.offset, text: chunk.toString('utf8', l.start, l.end) }));

describe('splitLines', () => {
  it('keeps a trailing partial line unconsumed until its newline arrives', () => {
    const buf = Buffer.from('{"a":1}\n{"b":');
    const r = splitLines(buf, 100, 'eve', MAX, false);
    expect(found(buf, r)).toEqual([{ offset: 100, text: '{"a":1}' }]);
    expect(r.lines[0]).toMatchObject({ start: 0, end: 7, text: undefined });
    expect(r.consumed).toBe(108);
    const next = Buffer.from('{"b":2}\n');
    const again = splitLines(next, r.consumed, 'eve', MAX, false);
    expect(found(next, again)).toEqual([{ offset: 108, text: '{"b":2}' }]);
  });

  it('counts and skips non-JSON, binary and huge lines without blocking the ones after them', () => {
    const huge = '{' + 'x'.repeat(MAX + 10) + '}';
    const buf = Buffer.concat([
      Buffer.from('not json\n'),
      Buffer.from([0xff, 0xfe, 0x7b, 0x7d, 10]),
      Buffer.from(huge + '\n{"ok":1}\n\n'),
    ]);
    const r = splitLines(buf, 0, 'eve', MAX, false);
    expect(found(buf, r).map((l) => l.text)).toEqual(['{"ok":1}']);
    expect(r.skipped).toEqual({ not_json: 1, binary: 1, huge: 1, empty: 1 });
  });

  it('skips a huge line that has no newline yet, then resumes after it', () => {
    const first = splitLines(Buffer.from('{' + 'y'.repeat(MAX * 2)), 0, 'json', MAX, false);
    expect(first.skipping).toBe(true);
    expect(first.skipped).toEqual({ huge: 1 });
    expect(first.consumed).toBe(MAX * 2 + 1);
    const tail = Buffer.from('yyy}\n{"n":2}\n');
    const rest = splitLines(tail, first.consumed, 'json', MAX, true);
    expect(found(tail, rest).map((l) => l.text)).toEqual(['{"n":2}']);
    expect(rest.skipping).toBe(false);
  });

  it('drops the NUL run a copytruncate hole leaves before a line, keeping the line', () => {
    const buf = Buffer.concat([Buffer.alloc(5), Buffer.from('{"z":1}\r\n')]);
    expect(found(buf, splitLines(buf, 0, 'eve', MAX, false))).toEqual([{ offset: 5, text: '{"z":1}' }]);
  });

  it('decodes auth and syslog lines (shipped as text) and refuses their control characters', () => {
    const buf = Buffer.from('Dec  1 10:00:00 gw sshd[1]: ok\r\nbad\u0001line\n');
    const r = splitLines(buf, 0, 'auth', MAX, false);
    expect(r.lines).toEqual([{ offset: 0, start: 0, end: 30, text: 'Dec  1 10:00:00 gw sshd[1]: ok' }]);
    expect(r.skipped).toEqual({ binary: 1 });
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
        const chunk = Buffer.concat([...parts, partial]);
        const r = splitLines(chunk, 0, 'eve', MAX, false);
        expect(found(chunk, r)).toEqual(expected);
        expect(r.consumed).toBe(off);
        const skippedCount = Object.values(r.skipped).reduce((a, b) => a + (b ?? 0), 0);
        expect(skippedCount + r.lines.length).toBe(lines.length);
      }),
    );
  });
});
