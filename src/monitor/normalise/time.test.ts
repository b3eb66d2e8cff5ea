import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIso, parseSuricataUtc, parseTimestamp } from './time.ts';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Suricata-shaped UTC texts with any digits, valid dates or not (month 13, day 31 of February …). */
const suricataShaped = fc
  .record({
    y: fc.integer({ min: 0, max: 9999 }),
    mo: fc.integer({ min: 0, max: 99 }),
    d: fc.integer({ min: 0, max: 99 }),
    h: fc.integer({ min: 0, max: 99 }),
    mi: fc.integer({ min: 0, max: 99 }),
    s: fc.integer({ min: 0, max: 99 }),
    frac: fc.stringMatching(/^\d{1,9}$/),
  })
  .map(
    ({ y, mo, d, h, mi, s, frac }) =>
      `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${frac}+0000`,
  );

describe('parseTimestamp', () => {
  it('reads the Suricata UTC form exactly as the general ISO path does, valid or not', () => {
    fc.assert(
      fc.property(suricataShaped, (text) => {
        expect(parseSuricataUtc(text)).toBe(parseIso(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads runs of one minute (its cached start) as the general path does', () => {
    fc.assert(
      fc.property(
        suricataShaped,
        fc.array(fc.record({ s: fc.integer({ min: 0, max: 99 }), frac: fc.stringMatching(/^\d{1,9}$/) })),
        (text, rest) => {
          for (const { s, frac } of rest) {
            const same = `${text.slice(0, 17)}${pad(s, 2)}.${frac}+0000`;
            expect(parseSuricataUtc(same)).toBe(parseIso(same));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('falls back to the general path for every other text, so nothing is refused that was accepted', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          suricataShaped.map((t) => t.replace('+0000', '+0200')),
        ),
        (text) => {
          expect(parseTimestamp(text)).toBe(parseIso(text));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads published Suricata timestamps to the millisecond', () => {
    expect(parseTimestamp('2016-04-26T11:59:14.316458+0000')).toBe(Date.UTC(2016, 3, 26, 11, 59, 14, 316));
    expect(parseTimestamp('2016-04-26T11:59:14.3+0000')).toBe(Date.UTC(2016, 3, 26, 11, 59, 14, 300));
    expect(parseTimestamp('2016-04-26T13:59:14.316458+0200')).toBe(Date.UTC(2016, 3, 26, 11, 59, 14, 316));
    expect(parseTimestamp('2016-13-26T11:59:14.316458+0000')).toBeUndefined();
    expect(parseTimestamp('2016-04-26T11:5x:14.316458+0000')).toBeUndefined();
  });
});
