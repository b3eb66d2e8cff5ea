import { expect, it } from 'vitest';
import { sign as nodeSign } from 'node:crypto';
import { describeWithTestdata } from '../../../test/helpers/testdata.ts';
import { MsecError } from '../../core/errors.ts';
import { decodeSign1, sign1ToBeSigned, verifySign1, createSign1 } from './sign1.ts';
import { decodeSign, signToBeSigned, verifySign } from './sign.ts';
import { hex, loadVectors, privateKeyOf, publicKeyOf, toHex } from './testvectors.test-helpers.ts';

const HASH: Record<string, string> = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };

describeWithTestdata('cose', 'COSE_Sign1 and COSE_Sign on cose-wg/Examples', (dir) => {
  const sign1Vectors = [...loadVectors(dir, 'sign1-tests'), ...loadVectors(dir, 'ecdsa-examples')].filter(
    (v) => v.input.sign0,
  );
  const signVectors = loadVectors(dir, 'ecdsa-examples').filter((v) => v.input.sign);

  it('has the expected number of vectors', () => {
    expect(sign1Vectors.length).toBe(13);
    expect(signVectors.length).toBe(4);
  });

  for (const v of sign1Vectors) {
    const s = v.input.sign0;
    const external = s.external ? hex(s.external) : undefined;
    if (v.fail) {
      it(`${v.file}: rejects (${v.title})`, () => {
        const err = (() => {
          try {
            verifySign1(hex(v.output.cbor), publicKeyOf(s.key), external);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(err).toBeInstanceOf(MsecError);
        expect((err as MsecError).code).toMatch(/^COSE_(MALFORMED|UNSUPPORTED_ALG|BAD_SIGNATURE)$/);
      });
      continue;
    }
    it(`${v.file}: ToBeSigned matches and the signature verifies (${v.title})`, () => {
      const bytes = hex(v.output.cbor);
      const msg = decodeSign1(bytes);
      expect(toHex(sign1ToBeSigned(msg.headers.protectedBytes, msg.payload, external))).toBe(
        v.intermediates.ToBeSign_hex,
      );
      const verified = verifySign1(bytes, publicKeyOf(s.key), external);
      expect(Buffer.from(verified.payload).toString()).toBe(v.input.plaintext);
    });
    it(`${v.file}: our own signature with the vector key verifies`, async () => {
      const msg = decodeSign1(hex(v.output.cbor));
      const key = privateKeyOf(s.key);
      const ours = await createSign1({
        payload: msg.payload,
        alg: msg.alg,
        ...(msg.kid ? { kid: msg.kid } : {}),
        ...(external ? { externalAad: external } : {}),
        sign: (tbs) => nodeSign(HASH[s.alg as string] ?? 'sha256', tbs, { key, dsaEncoding: 'ieee-p1363' }),
      });
      expect(verifySign1(ours, publicKeyOf(s.key), external).payload).toEqual(msg.payload);
    });
  }

  for (const v of signVectors) {
    it(`${v.file}: COSE_Sign ToBeSigned matches and verifies (${v.title})`, () => {
      const bytes = hex(v.output.cbor);
      const msg = decodeSign(bytes);
      const signers = v.input.sign.signers as { key: { kid: string } & Record<string, string> }[];
      expect(msg.signers.length).toBe(signers.length);
      msg.signers.forEach((signer, i) => {
        const tbs = signToBeSigned(msg.headers.protectedBytes, signer.headers.protectedBytes, msg.payload);
        expect(toHex(tbs)).toBe(v.intermediates.signers[i].ToBeSign_hex);
      });
      const keys = new Map(signers.map((sg) => [sg.key.kid, publicKeyOf(sg.key as never)]));
      const verified = verifySign(bytes, (kid) => (kid ? keys.get(Buffer.from(kid).toString()) : undefined));
      expect(Buffer.from(verified.payload).toString()).toBe(v.input.plaintext);
      // A wrong key for a known kid must fail.
      const other = publicKeyOf(sign1Vectors[0]!.input.sign0.key);
      const firstCurve = signers[0]!.key.crv;
      if (firstCurve !== 'P-256') {
        expect(() => verifySign(bytes, () => other)).toThrowError(MsecError);
      }
    });
  }
});
