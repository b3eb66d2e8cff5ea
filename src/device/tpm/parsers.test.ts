import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MsecError } from '../../core/errors.ts';
import {
  TPM_ALG,
  TPM_CC,
  TpmReader,
  decodeResponseCode,
  marshalCommand,
  marshalEccPublic,
  marshalEcdsaSignature,
  marshalPcrSelection,
  parseEccPublic,
  parseEcdsaSignature,
  parsePcrSelection,
  parseQuoteAttest,
  parseTpm2bPublic,
  signatureToP1363,
  signingKeyTemplate,
  srkTemplate,
  tpmResponseError,
  unmarshalResponse,
  verifyQuote,
} from './index.ts';

/** Runs `fn` on hostile bytes: it may return or throw an MsecError, never anything else. */
function onlyTypedErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof MsecError)) throw err;
    expect(err.code).toMatch(/^(TPM_|ATTESTATION_)/);
  }
}

const bytes = fc.uint8Array({ maxLength: 300 });

describe('parsers survive garbage (property tests)', () => {
  it('TPMT_PUBLIC, TPM2B_PUBLIC, TPMT_SIGNATURE, TPML_PCR_SELECTION', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const buf = Buffer.from(b);
        onlyTypedErrors(() => parseEccPublic(new TpmReader(buf)));
        onlyTypedErrors(() => parseTpm2bPublic(new TpmReader(buf)));
        onlyTypedErrors(() => parseEcdsaSignature(new TpmReader(buf)));
        onlyTypedErrors(() => parsePcrSelection(new TpmReader(buf)));
      }),
      { numRuns: 2000 },
    );
  });

  it('response frames', () => {
    fc.assert(
      fc.property(bytes, fc.nat(3), fc.nat(2), (b, handles, sessions) => {
        onlyTypedErrors(() => unmarshalResponse(Buffer.from(b), TPM_CC.Sign, handles, sessions));
      }),
      { numRuns: 2000 },
    );
  });

  it('quotes: parseQuoteAttest throws only ATTESTATION_MALFORMED, verifyQuote never throws', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    fc.assert(
      fc.property(bytes, bytes, (quoted, signature) => {
        try {
          parseQuoteAttest(quoted);
        } catch (err) {
          expect((err as MsecError).code).toBe('ATTESTATION_MALFORMED');
        }
        const r = verifyQuote({
          quoted,
          signature,
          akPublicKey: key,
          nonce: new Uint8Array(8),
          expectedPcrs: new Map(),
        });
        expect(r.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('truncations of a valid response are rejected with TPM_MALFORMED_RESPONSE', () => {
    const sig = marshalEcdsaSignature({
      sigAlg: TPM_ALG.ECDSA,
      hashAlg: TPM_ALG.SHA256,
      r: Buffer.alloc(32, 1),
      s: Buffer.alloc(32, 2),
    });
    const frame = Buffer.concat([
      Buffer.from([0x80, 0x02, 0, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0, 0, 0, sig.length]),
      sig,
      Buffer.from([0, 0, 0, 0, 0]),
    ]);
    frame.writeUInt32BE(frame.length, 2);
    const ok = unmarshalResponse(frame, TPM_CC.Sign, 0, 1);
    expect(parseEcdsaSignature(ok.params).r.equals(Buffer.alloc(32, 1))).toBe(true);
    for (let n = 0; n < frame.length; n++) {
      const cut = Buffer.from(frame.subarray(0, n));
      if (cut.length >= 6) cut.writeUInt32BE(cut.length, 2);
      expect(() => parseEcdsaSignature(unmarshalResponse(cut, TPM_CC.Sign, 0, 1).params)).toThrow(
        expect.objectContaining({ code: 'TPM_MALFORMED_RESPONSE' }),
      );
    }
  });
});

describe('round trips and encodings', () => {
  it('TPMT_PUBLIC marshal/parse round-trips', () => {
    for (const t of [srkTemplate(), signingKeyTemplate()]) {
      const r = new TpmReader(marshalEccPublic(t));
      expect(parseEccPublic(r)).toEqual(t);
      expect(r.remaining).toBe(0);
    }
  });

  it('PCR selections round-trip for any subset of 0..23', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1 }), (indices) => {
        const [bank] = parsePcrSelection(new TpmReader(marshalPcrSelection(indices)));
        expect(bank?.indices).toEqual([...indices].sort((a, b) => a - b));
        expect(bank?.hashAlg).toBe(TPM_ALG.SHA256);
      }),
    );
    expect(() => marshalPcrSelection([24])).toThrow(RangeError);
  });

  it('ECDSA r and s are padded to 32 bytes each; oversized values are refused', () => {
    const short = signatureToP1363({
      sigAlg: TPM_ALG.ECDSA,
      hashAlg: TPM_ALG.SHA256,
      r: Buffer.from([1]),
      s: Buffer.alloc(33, 0).fill(5, 1),
    });
    expect(short?.length).toBe(64);
    expect(short?.[31]).toBe(1);
    expect(short?.subarray(32).equals(Buffer.alloc(32, 5))).toBe(true);
    expect(
      signatureToP1363({ sigAlg: TPM_ALG.ECDSA, hashAlg: TPM_ALG.SHA256, r: Buffer.alloc(33, 1), s: Buffer.alloc(1) }),
    ).toBeUndefined();
  });

  it('command frames: header, handles, password session, parameters', () => {
    const cmd = marshalCommand(TPM_CC.Sign, {
      handles: [0x81000100],
      sessions: [{ handle: 0x40000009 }],
      params: Buffer.from([9]),
    });
    expect(cmd.toString('hex')).toBe(
      '80020000001c0000015d' + '81000100' + '00000009' + '40000009' + '0000' + '00' + '0000' + '09',
    );
    expect(marshalCommand(TPM_CC.GetRandom, { params: Buffer.from([0, 8]) }).toString('hex')).toBe(
      '80010000000c0000017b0008',
    );
  });
});

describe('response codes', () => {
  it('decodes format-0, format-1 and warning codes', () => {
    expect(decodeResponseCode(0x100).name).toBe('INITIALIZE');
    expect(decodeResponseCode(0x9a2)).toMatchObject({ name: 'BAD_AUTH', session: 1 });
    expect(decodeResponseCode(0x1c4)).toMatchObject({ name: 'VALUE', parameter: 1 });
    expect(decodeResponseCode(0x18b)).toMatchObject({ name: 'HANDLE', handle: 1 });
    expect(tpmResponseError(0x921, TPM_CC.Sign).code).toBe('TPM_LOCKOUT');
    const unknown = tpmResponseError(0x1ff0, TPM_CC.Sign);
    expect(unknown.code).toBe('TPM_COMMAND_FAILED');
    expect(unknown.details).toMatchObject({ rc: 0x1ff0, rcHex: '0x1ff0' });
    expect(tpmResponseError(0x184, TPM_CC.Sign)).toMatchObject({ code: 'TPM_RC_VALUE', details: { rc: 0x184 } });
  });
});
