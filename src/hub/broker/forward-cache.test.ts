import { describe, expect, it } from 'vitest';
import { ForwardCache } from './forward-cache.ts';

describe('ForwardCache', () => {
  it('keeps verdicts per topic until the rules version or the statement count changes', () => {
    const c = new ForwardCache();
    expect(c.get('data/o/p/s/r', 1, 10)).toBeUndefined();
    c.set('data/o/p/s/r', true);
    expect(c.get('data/o/p/s/r', 1, 10)).toBe(true);
    expect(c.get('data/o/p/s/other', 1, 10)).toBeUndefined();
    // A grant changed: the allow is forgotten and decided again.
    expect(c.get('data/o/p/s/r', 2, 10)).toBeUndefined();
    c.set('data/o/p/s/r', false);
    expect(c.get('data/o/p/s/r', 2, 10)).toBe(false);
    expect(c.get('data/o/p/s/r', 2, 11)).toBeUndefined();
  });

  it('stays bounded', () => {
    const c = new ForwardCache(2);
    c.get('a', 0, 0);
    c.set('a', true);
    c.set('b', true);
    c.set('c', true);
    expect(c.get('a', 0, 0)).toBeUndefined();
    expect(c.get('c', 0, 0)).toBe(true);
  });
});
