import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { entryLeafData, normalizeEntry, parseEntry, sha256Hex } from './entry.ts';

describe('ledger entries', () => {
  it('normalizes byte and hex data hashes to the same entry', () => {
    const hex = sha256Hex('reading');
    expect(normalizeEntry({ kind: 'hub.readings-batch', dataHash: Buffer.from(hex, 'hex') })).toEqual({
      kind: 'hub.readings-batch',
      dataHash: hex,
    });
    expect(entryLeafData({ kind: 'audit.head', dataHash: hex, timestamp: 7 }).toString()).toBe(
      `msec-ledger-entry/v1\naudit.head\n${hex}\n7\n`,
    );
  });

  it('rejects anything but a well-formed entry with VALIDATION_FAILED', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          parseEntry(value);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('VALIDATION_FAILED');
          return;
        }
        throw new Error('accepted garbage');
      }),
    );
    expect(() => parseEntry({ index: 1.5, kind: 'a', dataHash: sha256Hex('x'), timestamp: 1 })).toThrow(/index/);
    expect(() => parseEntry({ index: 1, kind: 'a\nb', dataHash: sha256Hex('x'), timestamp: 1 })).toThrow(/kind/);
  });
});
