import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MsecError } from '../../core/errors.ts';
import { SoftwareKeyStore } from '../keystore/software.ts';
import { createSign1, decodeSign1 } from '../cose/sign1.ts';
import { encodeCbor, type CborKey, type CborValue } from '../cose/cbor.ts';
import { Alg } from '../cose/headers.ts';
import { decodeReadingPayload, encodeReadingPayload, type Reading } from './payload.ts';
import { signReading, verifyReading, VerificationKeyCache, MAX_SIGNED_READING_BYTES } from './signed.ts';
import { openSealedReading, sealReading } from './sealed.ts';

const reading: Reading = {
  deviceId: 'santander-0042',
  resource: 'santander/environment/temperature',
  value: 21.5,
  unit: 'Cel',
  counter: 7,
  timestamp: 1_763_700_000_000,
};

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MsecError);
    return (err as MsecError).code;
  }
  return 'no error';
}

const dir = mkdtempSync(join(tmpdir(), 'msec-reading-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading payload', () => {
  it('round-trips every value type, with and without unit', () => {
    for (const value of [21.5, -3, 0, true, false, 'open']) {
      const r: Reading = { ...reading, value };
      expect(decodeReadingPayload(encodeReadingPayload(r))).toEqual(r);
    }
    const { unit: _unit, ...noUnit } = reading;
    expect(decodeReadingPayload(encodeReadingPayload(noUnit))).toEqual(noUnit);
  });

  it('rejects invalid readings with READING_INVALID', async () => {
    const bad: unknown[] = [
      { ...reading, value: Number.NaN },
      { ...reading, value: Infinity },
      { ...reading, counter: -1 },
      { ...reading, counter: 1.5 },
      { ...reading, resource: 'no-slashes' },
      { ...reading, resource: 'a/b/c/d' },
      { ...reading, deviceId: '' },
      { ...reading, value: 'x'.repeat(1025) },
      { ...reading, extra: 1 },
    ];
    for (const r of bad) expect(await codeOf(() => encodeReadingPayload(r as Reading))).toBe('READING_INVALID');
  });

  it('rejects payloads with unknown keys, wrong types or prototype tricks', async () => {
    const payloads = [
      encodeCbor(
        new Map<CborKey, CborValue>([
          [1, 'dev'],
          [2, 'a/b/c'],
          [3, 1],
          [5, 1],
          [6, 1],
          [99, 1],
        ]),
      ),
      encodeCbor(
        new Map<CborKey, CborValue>([
          ['__proto__', 'x'],
          [1, 'dev'],
        ]),
      ),
      encodeCbor(
        new Map<CborKey, CborValue>([
          [1, 'dev'],
          [2, 'a/b/c'],
          [3, new Uint8Array(2)],
          [5, 1],
          [6, 1],
        ]),
      ),
      encodeCbor([1, 2, 3]),
      new Uint8Array([0xff]),
    ];
    for (const p of payloads) expect(await codeOf(() => decodeReadingPayload(p))).toBe('READING_INVALID');
  });
});

describe('signed and sealed readings', () => {
  let store: SoftwareKeyStore;
  let publicKey: KeyObject;
  const resolve = (kid: string): KeyObject | undefined => (kid === reading.deviceId ? publicKey : undefined);

  beforeAll(async () => {
    store = await SoftwareKeyStore.open({ dir, passphrase: 'test', scrypt: { N: 1024, r: 8, p: 1 } });
    publicKey = (await store.ensureSigningKey('signing')).publicKey;
  });
  afterAll(() => store.close());

  it('signs a reading as COSE_Sign1 with ES256 and kid in the protected header, and verifies it', async () => {
    const signed = await signReading(store, 'signing', reading.deviceId, reading);
    expect(signed[0]).toBe(0xd2); // tag 18
    const msg = decodeSign1(signed);
    expect(msg.headers.protected.get(1)).toBe(Alg.ES256);
    expect(Buffer.from(msg.kid!).toString()).toBe(reading.deviceId);
    expect(await verifyReading(signed, resolve)).toEqual({ reading, kid: reading.deviceId });
    expect(await verifyReading(signed, async (kid) => resolve(kid))).toEqual({ reading, kid: reading.deviceId });
  });

  it('refuses a kid that differs from the device id when signing', async () => {
    expect(await codeOf(() => signReading(store, 'signing', 'other', reading))).toBe('READING_INVALID');
  });

  it.each([false, true])(
    'rejects unknown kids, wrong keys, oversize input and tampering (thread pool: %s)',
    async (offload) => {
      const signed = await signReading(store, 'signing', reading.deviceId, reading);
      expect(await verifyReading(signed, resolve, { offload })).toEqual({ reading, kid: reading.deviceId });
      expect(await codeOf(() => verifyReading(signed, () => undefined, { offload }))).toBe('COSE_UNKNOWN_KID');
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
      expect(await codeOf(() => verifyReading(signed, () => other, { offload }))).toBe('COSE_BAD_SIGNATURE');
      expect(
        await codeOf(() => verifyReading(new Uint8Array(MAX_SIGNED_READING_BYTES + 1), resolve, { offload })),
      ).toBe('COSE_TOO_LARGE');
      const tampered = Uint8Array.from(signed);
      tampered[tampered.length - 70] = tampered[tampered.length - 70]! ^ 0x01; // inside the payload
      expect(await codeOf(() => verifyReading(tampered, resolve, { offload }))).toMatch(
        /^COSE_(BAD_SIGNATURE|MALFORMED)$/,
      );
    },
  );

  it('rejects a validly signed message whose kid does not match the payload, or that lacks ES256/kid', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { sign } = await import('node:crypto');
    const signer = (tbs: Uint8Array) => sign('sha256', tbs, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    const payload = encodeReadingPayload(reading);
    const wrongKid = await createSign1({ payload, kid: Buffer.from('impostor'), sign: signer });
    expect(await codeOf(() => verifyReading(wrongKid, () => key.publicKey))).toBe('READING_INVALID');
    const noKid = await createSign1({ payload, sign: signer });
    expect(await codeOf(() => verifyReading(noKid, () => key.publicKey))).toBe('COSE_MALFORMED');
    const es384 = await createSign1({ payload, alg: Alg.ES384, kid: Buffer.from(reading.deviceId), sign: signer });
    expect(await codeOf(() => verifyReading(es384, () => key.publicKey))).toBe('COSE_UNSUPPORTED_ALG');
  });

  it('caches verification keys by kid and forgets them on invalidate', async () => {
    let lookups = 0;
    const cache = new VerificationKeyCache(async (kid) => {
      lookups++;
      return resolve(kid);
    }, 2);
    const signed = await signReading(store, 'signing', reading.deviceId, reading);
    for (let i = 0; i < 3; i++) await verifyReading(signed, cache.resolve);
    expect(lookups).toBe(1);
    cache.invalidate(reading.deviceId);
    await verifyReading(signed, cache.resolve);
    expect(lookups).toBe(2);
    expect(cache.size).toBe(1);
  });

  it('seals (sign-then-encrypt) to the hub and opens with the hub key or a key store', async () => {
    const hub = await store.ensureEcdhKey('hub-ecdh');
    const signed = await signReading(store, 'signing', reading.deviceId, reading);
    const sealed = sealReading(signed, hub.publicKey, {
      hubKid: 'hub-1',
      senderId: reading.deviceId,
      recipientId: 'hub-1',
    });
    expect(sealed[0]).toBe(0xd8); // tag 96 takes a one-byte tag head
    // The signed reading (its payload and signature) is hidden; the device id shows only once, as
    // the PartyU identity (-21) the wire format documents for the recipient's key derivation.
    const id = Buffer.from(reading.deviceId);
    const signature = Buffer.from(signed).subarray(-64);
    const occurrences = (buf: Buffer, needle: Buffer) => {
      let n = 0;
      for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) n++;
      return n;
    };
    expect(occurrences(Buffer.from(signed), id)).toBeGreaterThanOrEqual(1);
    expect(occurrences(Buffer.from(sealed), id)).toBe(1);
    expect(Buffer.from(sealed).includes(signature)).toBe(false);
    expect(Buffer.from(sealed).includes(Buffer.from(signed).subarray(8, 40))).toBe(false);
    const opened = await openSealedReading(sealed, (peer) => store.deriveSharedSecret('hub-ecdh', peer));
    expect(Buffer.from(opened).equals(Buffer.from(signed))).toBe(true);
    expect((await verifyReading(opened, resolve)).reading).toEqual(reading);

    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(await codeOf(() => openSealedReading(sealed, stranger))).toBe('COSE_DECRYPT_FAILED');
    const flipped = Uint8Array.from(sealed);
    flipped[40] = flipped[40]! ^ 0x80;
    expect(
      await codeOf(() => openSealedReading(flipped, (peer) => store.deriveSharedSecret('hub-ecdh', peer))),
    ).toMatch(/^(COSE_|KEYSTORE_)/);
  });
});
