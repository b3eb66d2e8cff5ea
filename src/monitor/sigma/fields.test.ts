import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGetter, MISSING } from './fields.ts';

/** The definition: own properties only, arrays flattened, the flat dotted key as a fallback. */
function reference(doc: Record<string, unknown>, path: string): unknown {
  const go = (cur: unknown, parts: string[]): unknown => {
    if (parts.length === 0) return cur;
    if (cur === null || typeof cur !== 'object') return MISSING;
    if (Array.isArray(cur)) {
      const out = cur.flatMap((item) => {
        const v = go(item, parts);
        return v === MISSING ? [] : Array.isArray(v) ? v : [v];
      });
      return out.length === 0 ? MISSING : out;
    }
    const [head, ...rest] = parts as [string, ...string[]];
    return Object.hasOwn(cur, head) ? go((cur as Record<string, unknown>)[head], rest) : MISSING;
  };
  const parts = path.split('.');
  const v = parts.length === 1 ? MISSING : go(doc, parts);
  if (v !== MISSING) return v;
  return Object.hasOwn(doc, path) ? doc[path] : MISSING;
}

describe('field getters', () => {
  it('walk nesting, flatten arrays and fall back to a flat dotted key', () => {
    const doc = {
      source: { ip: '10.0.0.1' },
      dns: { answers: [{ rrname: 'a' }, { rrname: 'b' }, { other: 1 }] },
      'user.name': 'alice',
      present: { value: undefined },
    };
    expect(compileGetter('source.ip')(doc)).toBe('10.0.0.1');
    expect(compileGetter('dns.answers.rrname')(doc)).toEqual(['a', 'b']);
    expect(compileGetter('user.name')(doc)).toBe('alice');
    expect(compileGetter('source.port')(doc)).toBe(MISSING);
    expect(compileGetter('present.value')(doc)).toBeUndefined();
  });

  it('never reads what an object inherits', () => {
    const doc = { source: { ip: '10.0.0.1' }, event: {} };
    for (const path of [
      'constructor',
      'source.constructor',
      'event.toString',
      'source.__proto__',
      'event.hasOwnProperty',
    ])
      expect(compileGetter(path)(doc)).toBe(MISSING);
    expect(compileGetter('event.constructor')({ event: { constructor: 'own' } })).toBe('own');
  });

  it('agrees with the definition on any document (property)', () => {
    const key = fc.constantFrom('a', 'b', 'constructor', 'toString', 'x.y');
    const doc = fc.dictionary(
      key,
      fc.oneof(fc.integer(), fc.dictionary(key, fc.oneof(fc.string(), fc.array(fc.dictionary(key, fc.integer()))))),
    );
    const path = fc.array(key, { minLength: 1, maxLength: 3 }).map((p) => p.join('.'));
    fc.assert(
      fc.property(doc, path, (d, p) => {
        expect(compileGetter(p)(d)).toEqual(reference(d, p));
      }),
    );
  });
});
