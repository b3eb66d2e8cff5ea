import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newSerial, normaliseSerial } from './profile.ts';

describe('certificate serials', () => {
  it('are stored exactly as a presented certificate normalises them: 32 hex digits, positive, no leading zero', () => {
    for (let i = 0; i < 5000; i++) {
      const s = newSerial();
      expect(s).toMatch(/^[4-7][0-9a-f]{31}$/);
      expect(normaliseSerial(s)).toBe(s);
    }
  });

  it('normalise Node, OpenSSL and upper-case spellings of the same number to one form', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 127n) - 1n }), fc.integer({ min: 0, max: 3 }), (n, zeros) => {
        const hex = n.toString(16);
        const spelled = '0'.repeat(zeros) + hex.toUpperCase();
        expect(normaliseSerial(spelled)).toBe(hex);
      }),
    );
  });
});
