import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';

describe('newId', () => {
  it('gives 128-bit base64url ids, all distinct across many refills of its random pool', () => {
    const ids = Array.from({ length: 5000 }, () => newId('al'));
    for (const id of ids) expect(id).toMatch(/^al_[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // No two ids share their 16 random bytes: the pool hands each byte out once.
    const raw = new Set(ids.map((id) => Buffer.from(id.slice(3), 'base64url').toString('hex')));
    expect(raw.size).toBe(ids.length);
  });
});
