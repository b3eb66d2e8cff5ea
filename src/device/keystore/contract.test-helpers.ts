/**
 * Behavioural contract of DeviceKeyStore, run against every back end (software, TPM 2.0).
 * Only the port's promises are checked here; back-end specifics (files, TPM handles) belong in
 * the back end's own tests.
 *
 * Error contract: every failure is an MsecError; an unknown or deleted label is
 * KEYSTORE_KEY_NOT_FOUND.
 */
import { createHash, diffieHellman, generateKeyPairSync, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MsecError } from '../../core/errors.ts';
import type { DeviceKeyStore } from './keystore.ts';

async function rejection(p: Promise<unknown>): Promise<MsecError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MsecError);
    return err as MsecError;
  }
  throw new Error('expected the call to fail');
}

function verifies(publicKey: KeyObject, data: Uint8Array, sig: Uint8Array): boolean {
  return nodeVerify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig);
}

function fingerprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex');
}

/** Registers the contract suite; `makeStore` returns a fresh, empty, open store per test. */
export function keyStoreContract(name: string, makeStore: () => Promise<DeviceKeyStore>): void {
  describe(`DeviceKeyStore contract: ${name}`, () => {
    let store: DeviceKeyStore | undefined;
    const fresh = async (): Promise<DeviceKeyStore> => (store = await makeStore());
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it('reports a known kind', async () => {
      expect(['software', 'tpm']).toContain((await fresh()).kind);
    });

    it('creates a P-256 signing key whose JWK matches its KeyObject, and returns the same key again', async () => {
      const s = await fresh();
      const info = await s.ensureSigningKey('signing');
      expect(info.label).toBe('signing');
      expect(info.publicKey.type).toBe('public');
      expect(info.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      const jwk = info.publicKey.export({ format: 'jwk' });
      expect(info.jwk).toEqual({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
      const again = await s.ensureSigningKey('signing');
      expect(fingerprint(again.publicKey)).toBe(fingerprint(info.publicKey));
      expect(fingerprint((await s.getPublicKey('signing'))!.publicKey)).toBe(fingerprint(info.publicKey));
    });

    it('signs with 64-byte r||s signatures that verify only for the signed data', async () => {
      const s = await fresh();
      const { publicKey } = await s.ensureSigningKey('signing');
      const data = new TextEncoder().encode('reading 21.5 C');
      const sig = await s.sign('signing', data);
      expect(sig).toBeInstanceOf(Uint8Array);
      expect(sig.length).toBe(64);
      expect(verifies(publicKey, data, sig)).toBe(true);
      expect(verifies(publicKey, new TextEncoder().encode('reading 99.9 C'), sig)).toBe(false);
    });

    it('keeps keys under different labels distinct', async () => {
      const s = await fresh();
      const a = await s.ensureSigningKey('sig-a');
      const b = await s.ensureSigningKey('sig-b');
      expect(fingerprint(a.publicKey)).not.toBe(fingerprint(b.publicKey));
      const data = new Uint8Array([1, 2, 3]);
      expect(verifies(b.publicKey, data, await s.sign('sig-a', data))).toBe(false);
    });

    it('agrees on one key when the same label is ensured concurrently', async () => {
      const s = await fresh();
      const infos = await Promise.all([
        s.ensureSigningKey('signing'),
        s.ensureSigningKey('signing'),
        s.ensureSigningKey('signing'),
      ]);
      expect(new Set(infos.map((i) => fingerprint(i.publicKey))).size).toBe(1);
    });

    it('refuses labels that could escape a directory or a map: path parts, leading dots, empty, too long', async () => {
      const s = await fresh();
      for (const bad of ['../x', '', '.hidden', 'a/b', 'x'.repeat(65)]) {
        expect((await rejection(s.ensureSigningKey(bad))).code).toBe('KEYSTORE_BAD_LABEL');
      }
    });

    it('returns undefined for the public key of an unknown label', async () => {
      expect(await (await fresh()).getPublicKey('absent')).toBeUndefined();
    });

    it('fails with KEYSTORE_KEY_NOT_FOUND when signing or deriving with an unknown label', async () => {
      const s = await fresh();
      expect((await rejection(s.sign('absent', new Uint8Array([1])))).code).toBe('KEYSTORE_KEY_NOT_FOUND');
      const peer = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
      expect((await rejection(s.deriveSharedSecret('absent', peer))).code).toBe('KEYSTORE_KEY_NOT_FOUND');
    });

    it('derives the same 32-byte ECDH secret as the peer computes', async () => {
      const s = await fresh();
      const info = await s.ensureEcdhKey('ecdh');
      expect(info.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      const peer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const ours = await s.deriveSharedSecret('ecdh', peer.publicKey);
      const theirs = diffieHellman({ privateKey: peer.privateKey, publicKey: info.publicKey });
      expect(ours.length).toBe(32);
      expect(Buffer.from(ours).equals(theirs)).toBe(true);
    });

    it('rejects a peer key on another curve', async () => {
      const s = await fresh();
      await s.ensureEcdhKey('ecdh');
      const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
      await rejection(s.deriveSharedSecret('ecdh', p384));
    });

    it('deletes a key: signing fails afterwards and ensuring creates a new one', async () => {
      const s = await fresh();
      const before = await s.ensureSigningKey('rotate');
      await s.deleteKey('rotate');
      expect(await s.getPublicKey('rotate')).toBeUndefined();
      expect((await rejection(s.sign('rotate', new Uint8Array([1])))).code).toBe('KEYSTORE_KEY_NOT_FOUND');
      const after = await s.ensureSigningKey('rotate');
      expect(fingerprint(after.publicKey)).not.toBe(fingerprint(before.publicKey));
    });

    it('offers no way to read a private key', async () => {
      const s = await fresh();
      await s.ensureSigningKey('signing');
      const info = await s.getPublicKey('signing');
      expect(info?.publicKey.type).toBe('public');
      for (const name of ['export', 'exportKey', 'exportPrivateKey', 'getPrivateKey', 'privateKey']) {
        expect(typeof (s as unknown as Record<string, unknown>)[name]).not.toBe('function');
      }
    });
  });
}
