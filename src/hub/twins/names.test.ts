import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assertPattern, assertSegment, levelOverlaps, nameMatches } from './names.ts';

const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,20}$/);

describe('name patterns', () => {
  it('matches exact names, * and infix wildcards', () => {
    expect(nameMatches('*', 'anything')).toBe(true);
    expect(nameMatches('air-*', 'air-quality')).toBe(true);
    expect(nameMatches('air-*', 'water')).toBe(false);
    expect(nameMatches('a.b', 'axb')).toBe(false);
    expect(nameMatches('*~x', 'fujisawa~x')).toBe(true);
  });

  it('a literal pattern matches only itself and * matches every segment', () => {
    fc.assert(
      fc.property(segment, segment, (a, b) => {
        expect(nameMatches(a, b)).toBe(a === b);
        expect(nameMatches('*', b)).toBe(true);
        expect(nameMatches(`${a}*`, `${a}${b}`)).toBe(true);
      }),
    );
  });

  it('a literal MQTT level overlaps a pattern exactly when the pattern matches it', () => {
    fc.assert(
      fc.property(segment, segment, (p, l) => {
        expect(levelOverlaps(p, l)).toBe(nameMatches(p, l));
      }),
    );
    expect(levelOverlaps('x', '+')).toBe(true);
  });

  it('refuses bad names and patterns with a stable code and never throws anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        for (const fn of [assertSegment, assertPattern]) {
          try {
            fn(s, 'x');
          } catch (err) {
            expect((err as { code: string }).code).toBe('VALIDATION_FAILED');
          }
        }
      }),
    );
    expect(() => assertSegment('a/b', 'provider')).toThrow(/provider/);
    expect(() => assertSegment('a*', 'provider')).toThrow();
    expect(assertPattern('a*', 'p')).toBe('a*');
  });
});
