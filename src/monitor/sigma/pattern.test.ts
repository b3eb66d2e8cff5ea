import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileTokens, parseSigmaString, windash, withStars, type Token } from './pattern.ts';

const test = (pattern: string, value: string, cased = false): boolean =>
  compileTokens(parseSigmaString(pattern), cased)(value, value.toLowerCase());

/** Reference glob matcher (dynamic programming over the tokens), independent of the compiler. */
function refMatch(tokens: readonly Token[], value: string, cased: boolean): boolean {
  const chars: ({ c: string } | { star: true } | { one: true })[] = [];
  for (const t of tokens) {
    if (t.kind === 'lit') for (const c of t.text) chars.push({ c: cased ? c : c.toLowerCase() });
    else if (t.kind === 'star') chars.push({ star: true });
    else chars.push({ one: true });
  }
  const v = [...(cased ? value : value.toLowerCase())];
  let prev = new Array<boolean>(v.length + 1).fill(false);
  prev[0] = true;
  for (const p of chars) {
    const cur = new Array<boolean>(v.length + 1).fill(false);
    if ('star' in p) {
      let any = false;
      for (let j = 0; j <= v.length; j++) {
        any = any || (prev[j] as boolean);
        cur[j] = any;
      }
    } else {
      for (let j = 1; j <= v.length; j++) cur[j] = (prev[j - 1] as boolean) && ('one' in p || p.c === v[j - 1]);
    }
    prev = cur;
  }
  return prev[v.length] as boolean;
}

describe('Sigma string values', () => {
  it('applies the escaping rules of the specification', () => {
    expect(parseSigmaString('a\\*b')).toEqual([{ kind: 'lit', text: 'a*b' }]);
    expect(parseSigmaString('a\\?b')).toEqual([{ kind: 'lit', text: 'a?b' }]);
    expect(parseSigmaString('C:\\Windows')).toEqual([{ kind: 'lit', text: 'C:\\Windows' }]);
    expect(parseSigmaString('a\\\\*')).toEqual([{ kind: 'lit', text: 'a\\' }, { kind: 'star' }]);
    expect(parseSigmaString('a\\\\\\*')).toEqual([{ kind: 'lit', text: 'a\\*' }]);
    expect(parseSigmaString('\\\\\\\\')).toEqual([{ kind: 'lit', text: '\\\\' }]);
    expect(parseSigmaString('\\\\\\')).toEqual([{ kind: 'lit', text: '\\\\' }]);
    expect(parseSigmaString('**x')).toEqual([{ kind: 'star' }, { kind: 'lit', text: 'x' }]);
  });

  it('matches wildcards and is case-insensitive unless cased', () => {
    expect(test('prog?.exe', 'PROGA.exe')).toBe(true);
    expect(test('prog?.exe', 'progAB.exe')).toBe(false);
    expect(test('antivirus_V*.exe', 'antivirus_V21.2.1.exe')).toBe(true);
    expect(test('*\\cmd.exe', 'C:\\Windows\\System32\\CMD.EXE')).toBe(true);
    expect(test('admin*', 'Administrator')).toBe(true);
    expect(test('Admin', 'admin', true)).toBe(false);
    expect(test('a*b*c', 'axxbyyc')).toBe(true);
    expect(test('a*b*c', 'axxbyy')).toBe(false);
    expect(test('a\\*b', 'a*b')).toBe(true);
    expect(test('a\\*b', 'axb')).toBe(false);
    expect(test('', '')).toBe(true);
    expect(test('', 'x')).toBe(false);
    expect(test('*', 'anything')).toBe(true);
    expect(test('line1*', 'line1\nline2')).toBe(true);
  });

  it('windash turns word-leading - and / into any dash', () => {
    const tokens = windash(parseSigmaString(' -enc '));
    const t = compileTokens(withStars(tokens, true, true), false);
    for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015'])
      expect(t(`powershell ${dash}enc AAA`, `powershell ${dash}enc aaa`)).toBe(true);
    expect(t('powershell +enc AAA', 'powershell +enc aaa')).toBe(false);
    // A dash inside a word stays literal.
    expect(windash(parseSigmaString('a-b'))).toEqual([{ kind: 'lit', text: 'a-b' }]);
  });

  const alphabet = fc.constantFrom('a', 'B', 'c', '*', '?', '\\', '.', '(', 'é', '\n');
  const str = fc.array(alphabet, { maxLength: 10 }).map((a) => a.join(''));

  it('agrees with a reference glob matcher on random patterns and values', () => {
    fc.assert(
      fc.property(str, str, fc.boolean(), (pattern, value, cased) => {
        const tokens = parseSigmaString(pattern);
        expect(compileTokens(tokens, cased)(value, value.toLowerCase())).toBe(refMatch(tokens, value, cased));
      }),
      { numRuns: 2000 },
    );
  });

  it('contains, startswith and endswith agree with String methods on literal values', () => {
    const lit = fc.array(fc.constantFrom('a', 'B', 'x', '.', ' '), { maxLength: 6 }).map((a) => a.join(''));
    const hay = fc.array(fc.constantFrom('a', 'b', 'X', '.', ' ', 'A'), { maxLength: 14 }).map((a) => a.join(''));
    fc.assert(
      fc.property(lit, hay, (needle, value) => {
        const tokens = needle ? [{ kind: 'lit', text: needle } as Token] : [];
        const lower = value.toLowerCase();
        const n = needle.toLowerCase();
        expect(compileTokens(withStars(tokens, true, true), false)(value, lower)).toBe(lower.includes(n));
        expect(compileTokens(withStars(tokens, false, true), false)(value, lower)).toBe(lower.startsWith(n));
        expect(compileTokens(withStars(tokens, true, false), false)(value, lower)).toBe(lower.endsWith(n));
        expect(compileTokens(withStars(tokens, true, true), true)(value, lower)).toBe(value.includes(needle));
      }),
      { numRuns: 2000 },
    );
  });
});
