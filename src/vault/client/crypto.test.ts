import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { b64urlDecode, b64urlEncode } from './envelope.ts';
import { decryptRecord, encryptRecord, generateDataKey, newRecordId, unwrapDataKey, wrapDataKey } from './crypto.ts';
import { generateVaultKeyPair, openKeyFile, sealKeyFile } from './owner-key.ts';

const te = new TextEncoder();
const ctx = { recordId: newRecordId(), version: 3, ownerId: 'prn_owner' };

describe('vault client crypto (WebCrypto)', () => {
  it('encrypts and decrypts under the record context; every bit flip of the ciphertext fails the GCM tag', async () => {
    const dk = await generateDataKey();
    const rec = await encryptRecord(te.encode('blood type: 0+'), dk, ctx);
    expect(new TextDecoder().decode(await decryptRecord(rec, dk, ctx))).toBe('blood type: 0+');
    const ct = b64urlDecode(rec.ciphertext, 'ct');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: ct.length * 8 - 1 }), async (bit) => {
        const flipped = new Uint8Array(ct);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        await expect(decryptRecord({ ...rec, ciphertext: b64urlEncode(flipped) }, dk, ctx)).rejects.toMatchObject({
          code: 'VAULT_DECRYPT_FAILED',
        });
      }),
      { numRuns: 40 },
    );
    for (const other of [
      { ...ctx, version: 4 },
      { ...ctx, ownerId: 'prn_other' },
      { ...ctx, recordId: newRecordId() },
    ]) {
      await expect(decryptRecord(rec, dk, other)).rejects.toMatchObject({ code: 'VAULT_DECRYPT_FAILED' });
    }
    await expect(decryptRecord(rec, await generateDataKey(), ctx)).rejects.toMatchObject({
      code: 'VAULT_DECRYPT_FAILED',
    });
  });

  it('wraps a data key for a recipient only that recipient can unwrap, bound to record and version', async () => {
    const [alice, bob] = [await generateVaultKeyPair(), await generateVaultKeyPair()];
    const dk = await generateDataKey();
    const rec = await encryptRecord(te.encode('x'), dk, ctx);
    const w = await wrapDataKey(dk, alice.publicJwk, ctx);
    expect(w.kid).toBe(alice.kid);
    const unwrapped = await unwrapDataKey(w, alice.privateKey, ctx);
    expect(new TextDecoder().decode(await decryptRecord(rec, unwrapped, ctx))).toBe('x');
    await expect(unwrapDataKey(w, bob.privateKey, ctx)).rejects.toMatchObject({ code: 'VAULT_DECRYPT_FAILED' });
    await expect(unwrapDataKey(w, alice.privateKey, { ...ctx, version: 2 })).rejects.toMatchObject({
      code: 'VAULT_DECRYPT_FAILED',
    });
    const wk = b64urlDecode(w.wk, 'wk');
    wk[5]! ^= 1;
    await expect(unwrapDataKey({ ...w, wk: b64urlEncode(wk) }, alice.privateKey, ctx)).rejects.toMatchObject({
      code: 'VAULT_DECRYPT_FAILED',
    });
    await expect(unwrapDataKey({ ...w, epk: bob.publicJwk }, alice.privateKey, ctx)).rejects.toMatchObject({
      code: 'VAULT_DECRYPT_FAILED',
    });
  });

  it('seals the private key under a passphrase; a wrong passphrase or altered file does not open it', async () => {
    const pair = await generateVaultKeyPair();
    const file = JSON.parse(JSON.stringify(await sealKeyFile(pair, 'correct horse battery', 10_000))) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(file)).not.toContain('"d"');
    const opened = await openKeyFile(file, 'correct horse battery');
    expect(opened.kid).toBe(pair.kid);
    const dk = await generateDataKey();
    await expect(
      unwrapDataKey(await wrapDataKey(dk, pair.publicJwk, ctx), opened.privateKey, ctx),
    ).resolves.toBeDefined();
    await expect(openKeyFile(file, 'wrong passphrase!')).rejects.toMatchObject({ code: 'VAULT_KEY_LOCKED' });
    const other = await generateVaultKeyPair();
    await expect(openKeyFile({ ...file, publicKey: other.publicJwk }, 'correct horse battery')).rejects.toMatchObject({
      code: 'VAULT_BAD_KEY_FILE',
    });
    await expect(
      openKeyFile(
        { ...file, kdf: { alg: 'PBKDF2-SHA256', iterations: 1, salt: 'AAAAAAAAAAAAAAAAAAAAAA' } },
        'x'.repeat(9),
      ),
    ).rejects.toMatchObject({ code: 'VAULT_BAD_KEY_FILE' });
  });
});
