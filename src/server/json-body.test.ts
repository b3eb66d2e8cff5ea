import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isMsecError } from '../core/index.ts';
import { parseJsonBody } from './json-body.ts';

const codeOf = (text: string): string => {
  try {
    parseJsonBody(text);
    return 'ok';
  } catch (err) {
    return isMsecError(err) ? err.code : 'unexpected';
  }
};

describe('parseJsonBody', () => {
  it('returns exactly what JSON.parse returns for any JSON without poisoning keys', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        fc.pre(!/"__proto__"|"constructor"/.test(text));
        expect(parseJsonBody(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('refuses __proto__ and constructor.prototype at any depth as VALIDATION_FAILED, bad syntax as MALFORMED_JSON', () => {
    expect(codeOf('{"__proto__":{"admin":true}}')).toBe('VALIDATION_FAILED');
    expect(codeOf('{"a":[{"b":{"__proto__":1}}]}')).toBe('VALIDATION_FAILED');
    expect(codeOf('{"constructor":{"prototype":{"x":1}}}')).toBe('VALIDATION_FAILED');
    expect(codeOf('{"constructor":"a name"}')).toBe('ok');
    expect(codeOf('')).toBe('MALFORMED_JSON');
    fc.assert(
      fc.property(fc.string(), (s) => {
        let valid = true;
        try {
          JSON.parse(s);
        } catch {
          valid = false;
        }
        if (!valid) expect(codeOf(s)).toBe('MALFORMED_JSON');
      }),
    );
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
