import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { MsecError } from '../../core/errors.ts';
import { decodeCbor, encodeCbor, CborTag, type CborKey, type CborValue } from './cbor.ts';
import { parseHeaders, Alg } from './headers.ts';
import { publicKeyFromCoseKey, coseKeyFromPublicKey } from './keys.ts';
import { createEncrypt0, decryptEncrypt0 } from './encrypt0.ts';
import { createEcdhEncrypt, decryptEncrypt } from './encrypt.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MsecError);
    return (err as MsecError).code;
  }
  return 'no error';
}

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('CBOR details', () => {
  it('decodes half, single and double floats', () => {
    expect(decodeCbor(bytes(0xf9, 0x3c, 0x00))).toBe(1);
    expect(decodeCbor(bytes(0xf9, 0x4d, 0x60))).toBe(21.5);
    expect(decodeCbor(bytes(0xf9, 0x7c, 0x00))).toBe(Infinity);
    expect(decodeCbor(bytes(0xf9, 0x00, 0x01))).toBe(2 ** -24);
    expect(decodeCbor(bytes(0xfa, 0x41, 0xac, 0x00, 0x00))).toBe(21.5);
  });

  it('uses shortest heads and sorted map keys', () => {
    expect(Buffer.from(encodeCbor(23)).toString('hex')).toBe('17');
    expect(Buffer.from(encodeCbor(24)).toString('hex')).toBe('1818');
    expect(Buffer.from(encodeCbor(-25)).toString('hex')).toBe('3818');
    expect(
      Buffer.from(
        encodeCbor(
          new Map<CborKey, CborValue>([
            [4, 1],
            [1, 2],
            [-1, 3],
          ]),
        ),
      ).toString('hex'),
    ).toBe('a3010204012003');
    expect(Buffer.from(encodeCbor(new CborTag(18, []))).toString('hex')).toBe('d280');
  });

  it('rejects invalid UTF-8, unsupported simple values, bad keys and trailing bytes', () => {
    expect(codeOf(() => decodeCbor(bytes(0x62, 0xc3, 0x28)))).toBe('COSE_MALFORMED');
    expect(codeOf(() => decodeCbor(bytes(0xf7)))).toBe('COSE_MALFORMED'); // undefined
    expect(codeOf(() => decodeCbor(bytes(0xa1, 0x80, 0x01)))).toBe('COSE_MALFORMED'); // array key
    expect(codeOf(() => decodeCbor(bytes(0x01, 0x02)))).toBe('COSE_MALFORMED');
    expect(codeOf(() => decodeCbor(bytes()))).toBe('COSE_MALFORMED');
  });
});

describe('COSE headers and keys', () => {
  it('rejects a label in both buckets and any crit header', () => {
    const prot = encodeCbor(new Map([[1, -7]]));
    expect(codeOf(() => parseHeaders(prot, new Map([[1, -7]])))).toBe('COSE_MALFORMED');
    expect(codeOf(() => parseHeaders(encodeCbor(new Map<CborKey, CborValue>([[2, [99]]])), new Map()))).toBe(
      'COSE_MALFORMED',
    );
    expect(codeOf(() => parseHeaders(encodeCbor([1]), new Map()))).toBe('COSE_MALFORMED');
  });

  it('round-trips EC2 keys and rejects points off the curve or of the wrong size', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cose = coseKeyFromPublicKey(publicKey);
    expect(publicKeyFromCoseKey(cose).export({ format: 'jwk' })).toEqual(publicKey.export({ format: 'jwk' }));
    const off = new Map(cose);
    const y = Uint8Array.from(cose.get(-3) as Uint8Array);
    y[31] = y[31]! ^ 1;
    off.set(-3, y);
    expect(codeOf(() => publicKeyFromCoseKey(off))).toBe('COSE_BAD_KEY');
    const short = new Map(cose);
    short.set(-2, new Uint8Array(31));
    expect(codeOf(() => publicKeyFromCoseKey(short))).toBe('COSE_BAD_KEY');
    const compressed = new Map(cose);
    compressed.set(-3, true);
    expect(codeOf(() => publicKeyFromCoseKey(compressed))).toBe('COSE_BAD_KEY');
  });
});

describe('COSE encryption round trips', () => {
  it('Encrypt0 binds the external AAD', () => {
    const key = new Uint8Array(16).fill(3);
    const aad = bytes(1, 2, 3);
    const msg = createEncrypt0({ plaintext: bytes(9, 9), key, alg: Alg.A128GCM, externalAad: aad });
    expect(decryptEncrypt0(msg, key, { externalAad: aad })).toEqual(bytes(9, 9));
    expect(codeOf(() => decryptEncrypt0(msg, key))).toBe('COSE_DECRYPT_FAILED');
    expect(codeOf(() => decryptEncrypt0(msg, new Uint8Array(32)))).toBe('COSE_BAD_KEY');
  });

  it('ECDH-ES + HKDF-512 to a P-384 recipient, with party identities bound into the KDF', async () => {
    const hub = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const msg = createEcdhEncrypt({
      plaintext: bytes(1, 2, 3),
      recipientPublicKey: hub.publicKey,
      alg: Alg.A128GCM,
      ecdhAlg: Alg.ECDH_ES_HKDF_512,
      partyUIdentity: bytes(0x75),
      partyVIdentity: bytes(0x76),
    });
    expect(await decryptEncrypt(msg, { ecdh: hub.privateKey })).toEqual(bytes(1, 2, 3));
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await expect(decryptEncrypt(msg, { ecdh: p256 })).rejects.toMatchObject({ code: 'COSE_BAD_KEY' });
    // Changing the PartyV identity (unprotected) changes the derived key: decryption fails.
    const tampered = Buffer.from(msg);
    const at = tampered.lastIndexOf(Buffer.from([0x37, 0x41, 0x76])); // -24: h'76'
    expect(at).toBeGreaterThan(0);
    tampered[at + 2] = 0x77;
    await expect(decryptEncrypt(new Uint8Array(tampered), { ecdh: hub.privateKey })).rejects.toMatchObject({
      code: 'COSE_DECRYPT_FAILED',
    });
  });
});
