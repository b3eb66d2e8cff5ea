import { expect, it } from 'vitest';
import { diffieHellman, type KeyObject } from 'node:crypto';
import { describeWithTestdata } from '../../../test/helpers/testdata.ts';
import { MsecError } from '../../core/errors.ts';
import { decryptEncrypt0, createEncrypt0 } from './encrypt0.ts';
import { decodeEncrypt, decryptEncrypt, recipientContentKey, createEcdhEncrypt } from './encrypt.ts';
import { encStructure } from './aead.ts';
import { kdfContext } from './ecdh.ts';
import { decodeCbor } from './cbor.ts';
import { Alg, parseHeaders, untag } from './headers.ts';
import { hex, loadVectors, privateKeyOf, symmetricKeyOf, toHex, type Vector } from './testvectors.test-helpers.ts';

const CONTENT_ALG: Record<string, number> = { A128GCM: Alg.A128GCM, A192GCM: Alg.A192GCM, A256GCM: Alg.A256GCM };

async function failure(fn: () => unknown): Promise<MsecError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MsecError);
    return err as MsecError;
  }
  throw new Error('expected a failure');
}

function externalOf(layer: Record<string, any>): Uint8Array | undefined {
  return layer.external ? hex(layer.external as string) : undefined;
}

describeWithTestdata('cose', 'COSE_Encrypt0 / COSE_Encrypt on cose-wg/Examples', (dir) => {
  const all = [
    ...loadVectors(dir, 'aes-gcm-examples'),
    ...loadVectors(dir, 'encrypted-tests').map((v) => ({ ...v, file: `encrypted-tests/${v.file}` })),
  ];
  const encrypt0 = all.filter((v) => v.input.encrypted);
  const enveloped = all.filter((v) => v.input.enveloped);
  const ecdh = loadVectors(dir, 'ecdh-direct-examples').filter((v) => v.input.enveloped); // the -03 ones are COSE_Mac

  it('has the expected number of vectors', () => {
    expect([encrypt0.length, enveloped.length, ecdh.length]).toEqual([14, 5, 16]);
  });

  for (const v of encrypt0) {
    const layer = v.input.encrypted;
    const key = symmetricKeyOf(layer.recipients[0].key);
    const external = externalOf(layer);
    if (v.fail) {
      it(`${v.file}: rejects (${v.title})`, async () => {
        const err = await failure(() =>
          decryptEncrypt0(hex(v.output.cbor), key, external ? { externalAad: external } : {}),
        );
        expect(err.code).toMatch(/^COSE_(MALFORMED|UNSUPPORTED_ALG|DECRYPT_FAILED)$/);
      });
      continue;
    }
    it(`${v.file}: decrypts, AAD matches (${v.title})`, () => {
      const plain = decryptEncrypt0(hex(v.output.cbor), key, external ? { externalAad: external } : {});
      expect(Buffer.from(plain).toString()).toBe(v.input.plaintext);
      const [prot, unprot] = untag(decodeCbor(hex(v.output.cbor)), 16, 3, 'vector');
      expect(toHex(encStructure('Encrypt0', parseHeaders(prot, unprot).protectedBytes, external))).toBe(
        v.intermediates.AAD_hex,
      );
    });
    if (layer.protected?.alg && !external) {
      it(`${v.file}: our encryption with the vector IV is byte-identical`, () => {
        const ours = createEncrypt0({
          plaintext: Buffer.from(v.input.plaintext as string),
          key,
          alg: CONTENT_ALG[layer.protected.alg as string]!,
          iv: hex(v.input.rng_stream[0] as string),
        });
        expect(toHex(ours)).toBe(v.output.cbor);
      });
    }
  }

  for (const v of enveloped) {
    const layer = v.input.enveloped;
    const key = symmetricKeyOf(layer.recipients[0].key);
    it(`${v.file}: COSE_Encrypt direct ${v.fail ? 'rejects' : 'decrypts'} (${v.title})`, async () => {
      const baseIv = layer.unsent?.IV_hex
        ? xorPartial(hex(layer.unsent.IV_hex as string), hex(layer.unprotected.partialIV_hex as string))
        : undefined;
      const run = () => decryptEncrypt(hex(v.output.cbor), { directKey: key }, baseIv ? { baseIv } : {});
      if (v.fail) expect((await failure(run)).code).toBe('COSE_DECRYPT_FAILED');
      else expect(Buffer.from(await run()).toString()).toBe(v.input.plaintext);
    });
  }

  for (const v of ecdh) ecdhVector(v);
});

function xorPartial(iv: Uint8Array, partial: Uint8Array): Uint8Array {
  const out = Uint8Array.from(iv);
  partial.forEach((b, i) => (out[out.length - partial.length + i]! ^= b));
  return out;
}

function ecdhVector(v: Vector): void {
  const r = v.input.enveloped.recipients[0];
  const recipientKey = privateKeyOf(r.key);
  it(`${v.file}: KDF context and CEK match, content decrypts (${v.title})`, async () => {
    const bytes = hex(v.output.cbor);
    const msg = decodeEncrypt(bytes);
    expect(toHex(kdfContext(msg.alg, msg.alg === 1 ? 16 : msg.alg === 2 ? 24 : 32, msg.recipient.headers))).toBe(
      v.intermediates.recipients[0].Context_hex,
    );
    expect(toHex(await recipientContentKey(msg, { ecdh: recipientKey }))).toBe(v.intermediates.CEK_hex);
    expect(Buffer.from(await decryptEncrypt(bytes, { ecdh: recipientKey })).toString()).toBe(v.input.plaintext);
    // The same through a key-store style derive function.
    const viaFn = await decryptEncrypt(bytes, { ecdh: (peer) => ecdhWith(recipientKey, peer) });
    expect(Buffer.from(viaFn).toString()).toBe(v.input.plaintext);
  });
  const isEs = r.protected.alg === 'ECDH-ES' && !r.unprotected?.apu_id && !r.protected?.apu_id;
  // P-521 vectors draw their ephemeral scalar from the RNG stream in a way not stated in the
  // vector, so the sender-side replay is done for P-256 (P-521 is covered by decryption above).
  if (isEs && r.key.crv === 'P-256' && v.input.rng_stream.length === 2) {
    it(`${v.file}: our ECDH-ES encryption with the vector ephemeral key and IV is byte-identical`, async () => {
      const msg = decodeEncrypt(hex(v.output.cbor));
      const eph = privateKeyOf({ kty: 'EC', crv: r.key.crv, d: b64u(v.input.rng_stream[0]), ...ephemeralXY(msg) });
      const ours = createEcdhEncrypt({
        plaintext: Buffer.from(v.input.plaintext as string),
        recipientPublicKey: recipientKey,
        alg: msg.alg,
        ecdhAlg: msg.recipient.alg,
        recipientKid: Buffer.from(r.key.kid as string),
        ephemeralPrivateKey: eph,
        iv: hex(v.input.rng_stream[1] as string),
      });
      expect(toHex(await recipientContentKey(decodeEncrypt(ours), { ecdh: recipientKey }))).toBe(
        v.intermediates.CEK_hex,
      );
      expect(toHex(decodeEncrypt(ours).ciphertext)).toBe(toHex(msg.ciphertext));
    });
  }
}

function ecdhWith(priv: KeyObject, peer: KeyObject): Uint8Array {
  return diffieHellman({ privateKey: priv, publicKey: peer });
}
function b64u(h: string): string {
  return Buffer.from(h, 'hex').toString('base64url');
}
function ephemeralXY(msg: ReturnType<typeof decodeEncrypt>): { x: string; y: string } {
  const epk = msg.recipient.headers.unprotected.get(-1) as Map<number, Uint8Array>;
  return { x: Buffer.from(epk.get(-2)!).toString('base64url'), y: Buffer.from(epk.get(-3)!).toString('base64url') };
}
