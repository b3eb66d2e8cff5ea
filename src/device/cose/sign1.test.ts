import { describe, expect, it } from 'vitest';
import { encodeCbor } from './cbor.ts';
import { sign1ToBeSigned } from './sign1.ts';

describe('sign1ToBeSigned', () => {
  it('writes the same bytes as the generic encoder for every byte string head size', () => {
    for (const n of [0, 1, 23, 24, 255, 256, 65_535, 65_536]) {
      const payload = new Uint8Array(n).fill(7);
      const prot = new Uint8Array([0xa1, 0x01, 0x26]);
      const aad = new Uint8Array(n % 30);
      expect(Buffer.from(sign1ToBeSigned(prot, payload, aad))).toEqual(
        Buffer.from(encodeCbor(['Signature1', prot, aad, payload])),
      );
    }
    expect(Buffer.from(sign1ToBeSigned(new Uint8Array(0), new Uint8Array(3)))).toEqual(
      Buffer.from(encodeCbor(['Signature1', new Uint8Array(0), new Uint8Array(0), new Uint8Array(3)])),
    );
  });
});
