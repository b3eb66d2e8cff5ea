import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeFilterValue, unescapeFilterValue } from './escape.ts';

describe('escapeFilterValue (RFC 4515)', () => {
  it('escapes the filter metacharacters of classic injection attempts', () => {
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(escapeFilterValue('admin)(|(objectClass=*')).toBe('admin\\29\\28|\\28objectClass=\\2a');
    expect(escapeFilterValue('a\\b\u0000')).toBe('a\\5cb\\00');
  });

  it('leaves ordinary names and non-ASCII text unchanged', () => {
    expect(escapeFilterValue('maría.lópez@santander')).toBe('maría.lópez@santander');
  });

  it('never leaves an unescaped metacharacter, and round-trips any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
        const e = escapeFilterValue(s);
        // Every backslash starts a two-hex-digit escape; no bare * ( ) or NUL remain.
        expect(/[*()\u0000]/.test(e)).toBe(false);
        expect(/\\(?![0-9a-f]{2})/.test(e)).toBe(false);
        expect(unescapeFilterValue(e)).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a filter built from an escaped value balanced', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const filter = `(&(objectClass=inetOrgPerson)(uid=${escapeFilterValue(s)}))`;
        // Only the three pairs the template wrote: the value adds no structure.
        expect((filter.match(/\(/g) ?? []).length).toBe(3);
        expect((filter.match(/\)/g) ?? []).length).toBe(3);
      }),
    );
  });
});
