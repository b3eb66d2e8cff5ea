import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MsecError } from '../../core/errors.ts';
import {
  b64urlDecode,
  b64urlEncode,
  parsePublicJwk,
  parseRecordCiphertext,
  parseRecordId,
  parseVersion,
  parseWrappedKey,
} from './envelope.ts';
import { encryptRecord, generateDataKey, newRecordId, wrapDataKey } from './crypto.ts';
import { generateVaultKeyPair, parseKeyFile } from './owner-key.ts';

const parsers = [parsePublicJwk, parseWrappedKey, parseRecordCiphertext, parseRecordId, parseVersion, parseKeyFile];

function onlyStableErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MsecError);
    expect(['VAULT_BAD_ENVELOPE', 'VAULT_BAD_KEY_FILE']).toContain((err as MsecError).code);
  }
}

describe('vault envelope parsing', () => {
  it('never crashes on arbitrary input: only VAULT_BAD_ENVELOPE / VAULT_BAD_KEY_FILE', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => parsers.forEach((p) => onlyStableErrors(() => p(v)))),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => parsers.forEach((p) => onlyStableErrors(() => p(v)))),
      { numRuns: 500 },
    );
  });

  it('round-trips base64url and rejects non-canonical or foreign alphabets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(b64urlDecode(b64urlEncode(bytes), 'x')).toEqual(new Uint8Array(bytes));
      }),
    );
    expect(() => b64urlDecode('ab+/', 'x')).toThrow(/base64url/);
    expect(() => b64urlDecode('AB==', 'x')).toThrow(/base64url/);
    expect(b64urlDecode('AA', 'x')).toEqual(new Uint8Array([0]));
    expect(() => b64urlDecode('AB', 'x')).toThrow(/canonical/);
  });

  it('accepts what the client produces and rejects any single-field mutation', async () => {
    const pair = await generateVaultKeyPair();
    const dk = await generateDataKey();
    const id = newRecordId();
    const wrapped = await wrapDataKey(dk, pair.publicJwk, { recordId: id, version: 1 });
    const record = await encryptRecord(new TextEncoder().encode('hello'), dk, {
      recordId: id,
      version: 1,
      ownerId: 'p1',
    });
    expect(parseWrappedKey(JSON.parse(JSON.stringify(wrapped)))).toEqual(wrapped);
    expect(parseRecordCiphertext(record)).toEqual(record);
    expect(parseRecordId(id)).toBe(id);
    const mutations: unknown[] = [
      { ...wrapped, v: 2 },
      { ...wrapped, alg: 'ECDH-ES' },
      { ...wrapped, kid: 'short' },
      { ...wrapped, wk: wrapped.wk.slice(4) },
      { ...wrapped, epk: { ...wrapped.epk, crv: 'P-384' } },
      { ...wrapped, epk: { ...wrapped.epk, d: wrapped.epk.x } },
      { ...wrapped, extra: 1 },
    ];
    for (const m of mutations)
      expect(() => parseWrappedKey(m)).toThrow(expect.objectContaining({ code: 'VAULT_BAD_ENVELOPE' }));
    for (const m of [
      { ...record, iv: 'AAAA' },
      { ...record, alg: 'A128GCM' },
      { ...record, ciphertext: 'AAAA' },
      { ...record, ciphertext: 42 },
    ]) {
      expect(() => parseRecordCiphertext(m)).toThrow(expect.objectContaining({ code: 'VAULT_BAD_ENVELOPE' }));
    }
    for (const v of [0, -1, 1.5, '1', 1_000_001]) expect(() => parseVersion(v)).toThrow(/version/);
  });
});
