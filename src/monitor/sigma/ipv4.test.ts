import { isIPv4 } from 'node:net';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskOf, parseIPv4 } from './ipv4.ts';

describe('parseIPv4', () => {
  it('parses dotted quads and refuses everything else, as node:net does', () => {
    expect(parseIPv4('10.1.2.3')).toBe(((10 << 24) | (1 << 16) | (2 << 8) | 3) >>> 0);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1..2.3',
      '1.2.3.4 ',
      'a.b.c.d',
      '::1',
      '1.2.3.',
    ])
      expect(parseIPv4(bad), bad).toBe(-1);
    expect(maskOf(0)).toBe(0);
    expect(maskOf(8)).toBe(0xff000000);
    expect(maskOf(32)).toBe(0xffffffff);
  });
  it('agrees with node:net isIPv4 and round-trips on random input', () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('', '00', '01', 'x', '1a'));
    fc.assert(
      fc.property(fc.array(octet, { minLength: 1, maxLength: 5 }), (parts) => {
        const s = parts.join('.');
        expect(parseIPv4(s) >= 0).toBe(isIPv4(s));
        if (isIPv4(s)) expect(parseIPv4(s)).toBe(parts.reduce((a, p) => a * 256 + Number(p), 0));
      }),
      { numRuns: 2000 },
    );
  });
});
