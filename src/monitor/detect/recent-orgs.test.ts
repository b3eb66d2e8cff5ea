import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentOrgs } from './recent-orgs.ts';

describe('RecentOrgs', () => {
  it('answers like a map of the newest `max` seqs, in order or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ step: fc.integer({ min: -30, max: 3 }), org: fc.constantFrom('a', 'b', 'c') }), {
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 80 }),
        (ops, max) => {
          const recent = new RecentOrgs(max);
          const model = new Map<number, string>();
          let seq = 100;
          for (const { step, org } of ops) {
            seq = Math.max(1, seq + (step === 0 ? 1 : step));
            if (model.has(seq)) continue; // a seq is stored once
            recent.set(seq, org);
            model.set(seq, org);
          }
          // Eviction drops the lowest seqs first; every seq among the newest `max` by value is known.
          const kept = [...model.keys()].sort((x, y) => y - x).slice(0, max);
          for (const s of kept) expect(recent.get(s)).toBe(model.get(s));
          expect(recent.get(0)).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });
});
