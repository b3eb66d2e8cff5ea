import { describe, expect, it } from 'vitest';
import { newId, newTimeOrderedId } from './ids.ts';

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

describe('newTimeOrderedId', () => {
  it('sorts by creation time as text, and stays unique within one millisecond', () => {
    const times = [0, 1, 999, 1_764_547_200_000, 1_764_547_200_001, 253_402_300_799_999];
    const ids = times.map((t) => newTimeOrderedId('al', t));
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^al_[0-9a-f]{12}[A-Za-z0-9_-]{16}$/);
    const same = Array.from({ length: 2000 }, () => newTimeOrderedId('al', 1_764_547_200_000));
    expect(new Set(same).size).toBe(same.length);
  });
});
