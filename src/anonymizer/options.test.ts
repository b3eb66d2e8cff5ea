import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMsecError } from '../core/errors.ts';
import { DEFAULT_OPTIONS, parseOptions } from './options.ts';

describe('anonymizer options', () => {
  it('accepts values in range, from strings as the CLI and HTTP give them', () => {
    const o = parseOptions({ minScore: '0.35', dilation: 0.2, fill: 'blur', classes: 'person, car', detectEvery: '3' });
    expect(o).toMatchObject({
      minScore: 0.35,
      dilation: 0.2,
      fill: 'blur',
      classes: ['person', 'car'],
      detectEvery: 3,
    });
    expect(DEFAULT_OPTIONS.fill).toBe('inpaint');
  });

  it('refuses anything out of range, unknown or of the wrong type with one stable code', () => {
    const bad = fc.oneof(
      fc.record({
        minScore: fc.oneof(
          fc.double({ min: 1.0001, max: 1e9, noNaN: true }),
          fc.constant('x'),
          fc.constant(Number.NaN),
        ),
      }),
      fc.record({
        fill: fc.string().filter((s) => !['inpaint', 'background', 'blur', 'pixelate', 'solid'].includes(s)),
      }),
      fc.record({
        classes: fc
          .string({ minLength: 1 })
          .filter((s) =>
            s.split(',').some((c) => !['person', 'bicycle', 'motorcycle', 'car', 'truck', 'bus'].includes(c.trim())),
          ),
      }),
      fc.record({ detectEvery: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 31 }), fc.constant(1.5)) }),
      fc.record({
        detectorSize: fc.oneof(
          fc.integer({ max: 127 }),
          fc.integer({ min: 1025 }),
          fc.integer({ min: 128, max: 1024 }).filter((n) => n % 32 !== 0),
        ),
      }),
      fc
        .string({ minLength: 1 })
        .filter((k) => !(k in DEFAULT_OPTIONS) && k !== 'detectorModel' && k !== '__proto__')
        .map((k) => ({ [k]: 1 })),
    );
    fc.assert(
      fc.property(bad, (input) => {
        try {
          parseOptions(input as Record<string, unknown>);
          return false;
        } catch (err) {
          return isMsecError(err) && err.code === 'ANONYMIZER_OPTIONS_INVALID' && err.status === 400;
        }
      }),
    );
  });

  it('takes detector sizes that are multiples of 32', () => {
    expect(parseOptions({ detectorSize: '448' }).detectorSize).toBe(448);
    expect(() => parseOptions({ detectorSize: 400 })).toThrow(/multiple of 32/);
  });

  it('never changes the defaults it starts from', () => {
    const before = JSON.stringify(DEFAULT_OPTIONS);
    parseOptions({ classes: 'car', minScore: 0.9 });
    expect(JSON.stringify(DEFAULT_OPTIONS)).toBe(before);
  });
});
