import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertAmount, costOf, formatTokens, MAX_AMOUNT, parseTokens } from './amounts.ts';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('amounts', () => {
  it('formats and parses token amounts as inverses', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: MAX_AMOUNT }), (m) => parseTokens(formatTokens(m)) === m));
  });

  it('refuses zero, negative, fractional, non-numeric and out-of-range amounts', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, MAX_AMOUNT + 1, '5', null])
      expect(code(() => assertAmount(bad))).toBe('MARKET_AMOUNT_INVALID');
    for (const bad of ['', '-1', '1.1234567', '1e3', 'abc', '0'])
      expect(code(() => parseTokens(bad))).toBe('MARKET_AMOUNT_INVALID');
    expect(code(() => costOf(MAX_AMOUNT, 2))).toBe('MARKET_AMOUNT_INVALID');
    expect(parseTokens('1.5')).toBe(1_500_000);
  });

  it('parses any decimal string it accepts to a safe positive integer', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        let v: number;
        try {
          v = parseTokens(s);
        } catch (err) {
          return (err as { code?: string }).code === 'MARKET_AMOUNT_INVALID';
        }
        return Number.isSafeInteger(v) && v > 0;
      }),
    );
  });
});
