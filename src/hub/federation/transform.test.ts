import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { covered, pseudonym, roundValue } from './transform.ts';

describe('federation transforms', () => {
  it('covers by provider/service/resource patterns, missing levels meaning all', () => {
    expect(covered(['air-*'], 'air-1', 'weather', 'temp')).toBe(true);
    expect(covered(['air-*/weather/temp'], 'air-1', 'weather', 'hum')).toBe(false);
    expect(covered(['traffic-1/*/*'], 'air-1', 'weather', 'temp')).toBe(false);
    expect(covered([], 'a', 'b', 'c')).toBe(false);
    // A pseudonymous provider: only service and resource can be checked.
    expect(covered(['traffic-1/weather/temp'], undefined, 'weather', 'temp')).toBe(true);
    expect(covered(['traffic-1/weather/temp'], undefined, 'weather', 'hum')).toBe(false);
  });

  it('pseudonymises stably per secret and hides the id', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        (id, other) => {
          expect(pseudonym('s1', id)).toBe(pseudonym('s1', id));
          // The pseudonym is a keyed hash: its shape never depends on the id, so nothing of it shows.
          expect(pseudonym('s1', id)).toMatch(/^ps-[0-9a-f]{16}$/);
          if (id.length >= 8) expect(pseudonym('s1', id)).not.toContain(id);
          expect(pseudonym('s1', id)).not.toBe(pseudonym('s2', id));
          if (other !== id) expect(pseudonym('s1', id)).not.toBe(pseudonym('s1', other));
        },
      ),
    );
  });

  it('rounds numbers to the agreed decimals and leaves the rest', () => {
    expect(roundValue(21.456, 1)).toBe(21.5);
    expect(roundValue(21.456, null)).toBe(21.456);
    expect(roundValue('x', 1)).toBe('x');
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 4 }), (v, d) => {
        expect(Math.abs(roundValue(v, d) - v)).toBeLessThanOrEqual(0.5 * 10 ** -d + 1e-9);
      }),
    );
  });
});
