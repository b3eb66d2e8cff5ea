import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CorrelationState } from './correlation-state.ts';
import type { SigmaCorrelation } from './types.ts';

const spec = (timespanMs: number, gte: number): SigmaCorrelation => ({
  type: 'event_count',
  rules: ['r'],
  groupBy: ['k'],
  timespanMs,
  condition: { gte },
  aliases: {},
  generate: false,
});

describe('CorrelationState groups', () => {
  it('evicts exactly the least recently seen group, whatever the timing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ k: fc.integer({ min: 0, max: 12 }), dt: fc.integer({ min: -5_000, max: 300_000 }) }), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 6 }),
        (events, cap) => {
          // Out-of-order times (dt < 0) included: recency is the order events arrive in.
          const state = new CorrelationState(spec(3_600_000, 1_000), cap);
          const lru: string[] = [];
          let evicted = 0;
          let t = 1_000_000;
          events.forEach(({ k, dt }, i) => {
            const key = `k${k}`;
            t += dt;
            state.add(key, [0], t, [`e${i}`], undefined);
            const at = lru.indexOf(key);
            if (at >= 0) lru.splice(at, 1);
            else if (lru.length >= cap) {
              lru.shift();
              evicted++;
            }
            lru.push(key);
            expect([...state.groups.keys()].sort()).toEqual([...lru].sort());
          });
          expect(state.capped).toBe(evicted);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never holds more groups than the cap, whatever the timing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ k: fc.integer({ min: 0, max: 50 }), dt: fc.integer({ min: 0, max: 20_000 }) }), {
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 10 }),
        (events, cap) => {
          const state = new CorrelationState(spec(60_000, 3), cap);
          let t = 0;
          for (const [i, e] of events.entries()) {
            t += e.dt;
            state.add(`k${e.k}`, [0], t, [`e${i}`], undefined);
            expect(state.groups.size).toBeLessThanOrEqual(cap);
            if (i % 7 === 0) state.sweep(t);
          }
          // After a sweep a full timespan later, nothing idle is left.
          state.sweep(t + 120_000);
          expect(state.groups.size).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
