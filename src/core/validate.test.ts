import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import Type from 'typebox';
import { assertValid, validationIssues } from './validate.ts';
import { MsecError } from './errors.ts';

const Reading = Type.Object(
  {
    device: Type.String({ minLength: 1, maxLength: 16 }),
    value: Type.Number(),
    unit: Type.Optional(Type.String({ maxLength: 8 })),
  },
  { additionalProperties: false },
);

const validReading = fc.record(
  {
    device: fc.string({ minLength: 1, maxLength: 16 }),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    unit: fc.string({ maxLength: 8 }),
  },
  { requiredKeys: ['device', 'value'] },
);

describe('schema validation', () => {
  it('accepts every value of the schema and returns it unchanged', () => {
    fc.assert(
      fc.property(validReading, (r) => {
        expect(assertValid(Reading, r)).toBe(r);
      }),
    );
  });

  it('refuses any unknown field and names it', () => {
    fc.assert(
      fc.property(validReading, fc.stringMatching(/^[a-z]{1,10}$/), fc.jsonValue(), (r, key, v) => {
        fc.pre(!['device', 'value', 'unit'].includes(key));
        const issues = validationIssues(Reading, { ...r, [key]: v });
        expect(issues.some((i) => i.message.includes(key))).toBe(true);
      }),
    );
  });

  it('throws VALIDATION_FAILED with a path for wrong types, never anything else', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        try {
          assertValid(Reading, x, 'reading');
          expect(validationIssues(Reading, x)).toEqual([]);
        } catch (err) {
          expect(err).toBeInstanceOf(MsecError);
          expect((err as MsecError).code).toBe('VALIDATION_FAILED');
          expect((err as MsecError).message).toMatch(/^reading: \//);
        }
      }),
    );
  });
});
