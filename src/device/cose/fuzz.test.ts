import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { decode as cborgDecode } from 'cborg';
import { MsecError } from '../../core/errors.ts';
import { decodeCbor, encodeCbor, CborTag, type CborValue } from './cbor.ts';
import { createSign1, decodeSign1, verifySign1 } from './sign1.ts';
import { decodeSign } from './sign.ts';
import { createEncrypt0, decryptEncrypt0 } from './encrypt0.ts';
import { createEcdhEncrypt, decryptEncrypt } from './encrypt.ts';
import { verifyReading } from '../reading/signed.ts';
import { encodeReadingPayload } from '../reading/payload.ts';

const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecdh = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const aesKey = new Uint8Array(32).fill(7);
const sign = (tbs: Uint8Array) => nodeSign('sha256', tbs, { key: signing.privateKey, dsaEncoding: 'ieee-p1363' });

/** Runs fn; passes when it returns or throws an MsecError whose code is in our domains. */
async function onlyTypedErrors(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof MsecError)) throw new Error(`untyped error: ${String(err)}`);
    expect(err.code).toMatch(/^(COSE_[A-Z_]+|READING_INVALID)$/);
  }
}

const payload = encodeReadingPayload({ deviceId: 'dev-1', resource: 'p/s/r', value: 1, counter: 1, timestamp: 1 });
const validSign1 = await createSign1({ payload, kid: Buffer.from('dev-1'), sign });
const validEncrypt0 = createEncrypt0({ plaintext: payload, key: aesKey });
const validEncrypt = createEcdhEncrypt({ plaintext: payload, recipientPublicKey: ecdh.publicKey });
const valids = [validSign1, validEncrypt0, validEncrypt];

async function decodeEverything(bytes: Uint8Array): Promise<void> {
  await onlyTypedErrors(() => decodeCbor(bytes));
  await onlyTypedErrors(() => decodeSign1(bytes));
  await onlyTypedErrors(() => decodeSign(bytes));
  await onlyTypedErrors(() => decryptEncrypt0(bytes, aesKey));
  await onlyTypedErrors(() => decryptEncrypt(bytes, { ecdh: ecdh.privateKey }));
  await onlyTypedErrors(() => verifyReading(bytes, () => signing.publicKey));
}

const mutated = fc
  .tuple(
    fc.constantFrom(...valids),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    fc.nat(),
  )
  .map(([bytes, edits, cut]) => {
    const out = Uint8Array.from(bytes);
    for (const [pos, val] of edits) out[pos % out.length] = val;
    return cut % 5 === 0 ? out.subarray(0, cut % out.length) : out;
  });

describe('COSE decoders on hostile input', () => {
  it('random bytes only ever produce typed COSE_* errors', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), decodeEverything), { numRuns: 400 });
  });

  it('mutated and truncated valid messages only ever produce typed errors', async () => {
    await fc.assert(fc.asyncProperty(mutated, decodeEverything), { numRuns: 400 });
  });

  it('any single-bit flip of a valid COSE_Sign1 fails verification', () => {
    fc.assert(
      fc.property(fc.nat({ max: validSign1.length * 8 - 1 }), (bit) => {
        const flipped = Uint8Array.from(validSign1);
        flipped[bit >> 3] = flipped[bit >> 3]! ^ (1 << (bit & 7));
        expect(() => verifySign1(flipped, signing.publicKey)).toThrowError(MsecError);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects deep nesting, huge declared lengths and indefinite lengths without crashing', async () => {
    const deep = new Uint8Array(100_000).fill(0x81); // [[[[...
    expect(() => decodeCbor(deep)).toThrowError(expect.objectContaining({ code: 'COSE_MALFORMED' }));
    expect(() => decodeCbor(Uint8Array.from([0x9b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]))).toThrowError(
      expect.objectContaining({ code: 'COSE_MALFORMED' }),
    );
    expect(() => decodeCbor(Uint8Array.from([0x5a, 0xff, 0xff, 0xff, 0xff]))).toThrowError(
      expect.objectContaining({ code: 'COSE_MALFORMED' }),
    );
    expect(() => decodeCbor(Uint8Array.from([0x9f, 0x01, 0xff]))).toThrowError(
      expect.objectContaining({ code: 'COSE_MALFORMED' }),
    );
    expect(() => decodeCbor(Uint8Array.from([0xa2, 0x01, 0x01, 0x01, 0x02]))).toThrowError(
      expect.objectContaining({ code: 'COSE_MALFORMED' }),
    );
  });
});

const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.maxSafeInteger(),
    fc.double({ noNaN: true }).filter((d) => !Object.is(d, -0)),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc
      .uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.string({ maxLength: 8 })), tie('v')), {
        maxLength: 4,
        selector: ([k]) => k,
      })
      .map((e) => new Map(e)),
    fc.tuple(fc.integer({ min: 0, max: 100_000 }), tie('v')).map(([t, v]) => new CborTag(t, v)),
  ),
})).v;

describe('CBOR codec', () => {
  it('round-trips arbitrary values and re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(cborValue, (v) => {
        const bytes = encodeCbor(v);
        const back = decodeCbor(bytes, { maxDepth: 64 });
        expect(encodeCbor(back)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with an independent decoder (cborg) on what our encoder writes (no tags)', () => {
    const plain = cborValue.filter(
      (v) =>
        !JSON.stringify(v, (_k, x) => (x instanceof CborTag ? 'TAG' : x instanceof Map ? [...x] : x))?.includes('TAG'),
    );
    fc.assert(
      fc.property(plain, (v) => {
        const theirs = cborgDecode(encodeCbor(v), { useMaps: true }) as unknown;
        expect(encodeCbor(normalize(theirs))).toEqual(encodeCbor(v));
      }),
      { numRuns: 200 },
    );
  });
});

/** cborg returns bigints for 64-bit heads; map them onto our value model. */
function normalize(x: unknown): CborValue {
  if (x instanceof Uint8Array) return new Uint8Array(x);
  if (typeof x === 'bigint') return Number(x);
  if (Array.isArray(x)) return x.map(normalize);
  if (x instanceof Map) return new Map([...x].map(([k, v]) => [k as number | string, normalize(v)]));
  return x as CborValue;
}
