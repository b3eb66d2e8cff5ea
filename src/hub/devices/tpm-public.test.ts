import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MsecError } from '../../core/index.ts';
import {
  attestationKeyTemplate,
  keyObjectToEccPoint,
  marshalEccPublic,
  objectName,
  signingKeyTemplate,
} from '../../device/index.ts';
import { assertAttestationKey, assertSigningKey, parseTpmKeyPublic } from './tpm-public.ts';

function area(template: ReturnType<typeof signingKeyTemplate>) {
  const point = keyObjectToEccPoint(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
  return marshalEccPublic({ ...template, x: point.x, y: point.y });
}

describe('parseTpmKeyPublic', () => {
  it('reads the key, attributes and TPM Name of a device signing key and attestation key', () => {
    const bytes = area(signingKeyTemplate());
    const key = parseTpmKeyPublic(bytes);
    expect(key.name.equals(objectName(bytes))).toBe(true);
    expect(key.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(() => assertSigningKey(key)).not.toThrow();
    expect(() => assertAttestationKey(key)).toThrow(MsecError);
    const ak = parseTpmKeyPublic(area(attestationKeyTemplate()));
    expect(() => assertAttestationKey(ak)).not.toThrow();
    expect(() => assertSigningKey(ak)).toThrow(MsecError);
  });

  it('refuses keys that could exist outside a TPM', () => {
    const t = signingKeyTemplate();
    for (const bit of [1 << 1, 1 << 4, 1 << 5]) {
      expect(() =>
        assertSigningKey(parseTpmKeyPublic(area({ ...t, objectAttributes: t.objectAttributes & ~bit }))),
      ).toThrow(/TPM-resident/);
    }
  });

  it('never throws anything but ENROLLMENT_TPM_INVALID on arbitrary or mutated bytes', () => {
    const good = area(signingKeyTemplate());
    const check = (bytes: Uint8Array) => {
      try {
        parseTpmKeyPublic(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(MsecError);
        expect((err as MsecError).code).toBe('ENROLLMENT_TPM_INVALID');
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), check), { numRuns: 500 });
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(good.length), (i, x, cut) => {
        const b = Uint8Array.from(good);
        b[i] = (b[i] ?? 0) ^ x;
        check(b);
        check(good.subarray(0, cut));
      }),
      { numRuns: 500 },
    );
  });
});
