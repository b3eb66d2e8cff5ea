import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeCursor, encodeCursor } from './cursor.ts';

describe('history cursor', () => {
  it('round-trips every (ts, id)', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: Number.MAX_SAFE_INTEGER }), (ts, id) => {
        expect(decodeCursor(encodeCursor({ ts, id }))).toEqual({ ts, id });
      }),
    );
  });

  it('refuses anything else with VALIDATION_FAILED', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (s) => {
        try {
          const c = decodeCursor(s);
          expect(Number.isSafeInteger(c.ts) && Number.isSafeInteger(c.id)).toBe(true);
        } catch (err) {
          expect((err as { code: string }).code).toBe('VALIDATION_FAILED');
        }
      }),
    );
    expect(() => decodeCursor('not a cursor!')).toThrow(/cursor/);
  });
});
