import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { AnonymousLimit } from './anonymous-limit.ts';

describe('AnonymousLimit', () => {
  it('admits exactly min(per-source, what the total leaves) per source and minute, and starts afresh each minute', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 100 }),
        (sources, perSource, total) => {
          let t = 0;
          const limit = new AnonymousLimit({ perSourcePerMinute: perSource, totalPerMinute: total }, () => t);
          const admitted = new Map<string, number>();
          let all = 0;
          for (const s of sources) {
            const ok = limit.take(s);
            const expected = (admitted.get(s) ?? 0) < perSource && all < total;
            expect(ok).toBe(expected);
            if (ok) {
              admitted.set(s, (admitted.get(s) ?? 0) + 1);
              all++;
            }
          }
          t += 60_000;
          expect(limit.take('a')).toBe(true);
        },
      ),
    );
  });
});
