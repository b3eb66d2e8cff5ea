import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cumulativeDepth, msec, period } from './types.ts';

describe('market console helpers', () => {
  it('writes minor units as MSEC', () => {
    expect(msec(2_000_000)).toBe('2 MSEC');
    expect(msec(-1_250_000)).toBe('-1.25 MSEC');
    expect(msec(1)).toBe('0.000001 MSEC');
    expect(period(3600)).toBe('1 h');
    expect(period(90)).toBe('90 s');
  });

  it('accumulates bids downwards from the best bid and asks upwards from the best ask', () => {
    expect(
      cumulativeDepth({
        bids: [
          [5, 2],
          [3, 1],
        ],
        asks: [
          [7, 4],
          [9, 1],
        ],
      }),
    ).toEqual({ prices: [3, 5, 7, 9], bids: [3, 2, null, null], asks: [null, null, 4, 5] });
    expect(cumulativeDepth({ bids: [], asks: [] })).toEqual({ prices: [], bids: [], asks: [] });
  });

  it('keeps totals: the lowest price holds every bid, the highest every ask', () => {
    const level = fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 50 }));
    fc.assert(
      fc.property(fc.array(level, { maxLength: 20 }), fc.array(level, { maxLength: 20 }), (bids, asks) => {
        const c = cumulativeDepth({ bids, asks });
        const sum = (ls: [number, number][]) => ls.reduce((s, l) => s + l[1], 0);
        if (bids.length) expect(c.bids[0]).toBe(sum(bids));
        if (asks.length) expect(c.asks[c.asks.length - 1]).toBe(sum(asks));
        expect([...c.prices].sort((a, b) => a - b)).toEqual(c.prices);
        for (let i = 1; i < c.prices.length; i++) {
          if (c.bids[i] !== null) expect(c.bids[i]!).toBeLessThanOrEqual(c.bids[i - 1]!);
          if (c.asks[i - 1] !== null) expect(c.asks[i]!).toBeGreaterThanOrEqual(c.asks[i - 1]!);
        }
      }),
    );
  });
});
