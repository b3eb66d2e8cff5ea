import { createECDH, createHash, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwtpm, type SwtpmInstance } from '../../../test/helpers/swtpm.ts';
import { TpmWiretap } from '../../../test/helpers/tpm-wiretap.ts';
import {
  HmacSession,
  SwtpmSocketTransport,
  TpmClient,
  createPersistentKey,
  ecdhKeyTemplate,
  ecdhZGen,
  eccPointToKeyObject,
  ensureSrk,
  sign,
  signatureToP1363,
  signingKeyTemplate,
  startup,
  type LoadedObject,
} from './index.ts';

/** A copy of `b` with one bit flipped at `index` (negative: from the end). */
function flipAt(b: Buffer, index: number): Buffer {
  const out = Buffer.from(b);
  out[index < 0 ? out.length + index : index]! ^= 0x01;
  return out;
}

/** Where a one-handle, one-session command's first parameter data starts: header, handle, auth size, auth area, TPM2B size. */
const FIRST_PARAMETER_DATA = 10 + 4 + 4 + (4 + 2 + 32 + 1 + 2 + 32) + 2;

let swtpm: SwtpmInstance;
let wire: TpmWiretap;
let tpm: TpmClient;
let srk: LoadedObject;
let signingKey: LoadedObject;
let ecdhKey: LoadedObject;

beforeAll(async () => {
  swtpm = await startSwtpm();
  wire = new TpmWiretap(await SwtpmSocketTransport.connect(swtpm.host, swtpm.port));
  tpm = new TpmClient(wire);
  await startup(tpm);
  srk = await ensureSrk(tpm);
  signingKey = await createPersistentKey(tpm, srk.handle, signingKeyTemplate(), 0x81000110);
  ecdhKey = await createPersistentKey(tpm, srk.handle, ecdhKeyTemplate(), 0x81000111);
});

afterAll(async () => {
  await tpm?.close();
  await swtpm?.stop();
});

const open = () => HmacSession.startSalted(tpm, { handle: srk.handle, point: srk.publicArea });

describe('salted HMAC session with parameter encryption (swtpm)', () => {
  it('signs under the session many times in a row (nonces roll), and the signatures verify', async () => {
    const session = await open();
    try {
      for (let i = 0; i < 12; i++) {
        const data = Buffer.from(`reading ${i}`);
        const digest = createHash('sha256').update(data).digest();
        const sig = signatureToP1363(await sign(tpm, signingKey.handle, digest, { session, keyName: signingKey.name }));
        expect(
          verify('sha256', data, { key: eccPointToKeyObject(signingKey.publicArea), dsaEncoding: 'ieee-p1363' }, sig!),
        ).toBe(true);
      }
    } finally {
      await session.close();
    }
  });

  it("ECDH: the TPM returns the shared point encrypted; decrypted it equals the peer's own computation", async () => {
    const session = await open();
    try {
      const peer = createECDH('prime256v1');
      const peerPublic = peer.generateKeys();
      const peerPoint = { x: peerPublic.subarray(1, 33), y: peerPublic.subarray(33, 65) };
      const expectedZ = peer.computeSecret(
        Buffer.concat([Buffer.from([4]), ecdhKey.publicArea.x, ecdhKey.publicArea.y]),
      );
      const before = wire.sent.length;
      const point = await ecdhZGen(tpm, ecdhKey.handle, peerPoint, { session, keyName: ecdhKey.name });
      expect(Buffer.from(point.x).equals(expectedZ)).toBe(true);
      // What crossed the wire: neither the peer point in the command nor Z in the response.
      const command = wire.sent[before]!;
      const response = wire.received[before]!;
      expect(command.includes(peerPoint.x)).toBe(false);
      expect(response.includes(expectedZ)).toBe(false);
    } finally {
      await session.close();
    }
  });

  it('without the session the same exchange is in clear on the wire (what the session prevents)', async () => {
    const peer = createECDH('prime256v1');
    const peerPublic = peer.generateKeys();
    const peerPoint = { x: peerPublic.subarray(1, 33), y: peerPublic.subarray(33, 65) };
    const before = wire.sent.length;
    const point = await ecdhZGen(tpm, ecdhKey.handle, peerPoint);
    expect(wire.received[before]!.includes(point.x)).toBe(true);
    expect(wire.sent[before]!.includes(peerPoint.x)).toBe(true);
  });

  it('refuses a response altered on the wire (TPM_BAD_RESPONSE_HMAC) and retires the session', async () => {
    const digest = createHash('sha256').update('x').digest();
    // The last byte of a Sign response is in its HMAC; 80 bytes from the end, in the signature.
    for (const index of [-1, -80]) {
      const session = await open();
      const auth = { session, keyName: signingKey.name };
      try {
        wire.alterResponse = (b) => flipAt(b, index);
        await expect(sign(tpm, signingKey.handle, digest, auth)).rejects.toMatchObject({
          code: 'TPM_BAD_RESPONSE_HMAC',
        });
        wire.alterResponse = undefined;
        // The TPM has rolled its nonce to one we could not trust: the session is not used again.
        await expect(sign(tpm, signingKey.handle, digest, auth)).rejects.toMatchObject({ code: 'TPM_SESSION_BROKEN' });
      } finally {
        wire.alterResponse = undefined;
        await session.close();
      }
    }
  });

  it('the TPM refuses a command altered on the wire', async () => {
    const session = await open();
    const digest = createHash('sha256').update('x').digest();
    try {
      wire.alterCommand = (b) => flipAt(b, FIRST_PARAMETER_DATA + 3);
      await expect(sign(tpm, signingKey.handle, digest, { session, keyName: signingKey.name })).rejects.toMatchObject({
        code: expect.stringMatching(/^TPM_RC_/),
      });
    } finally {
      wire.alterCommand = undefined;
      await session.close();
    }
  });

  it('a session salted to another key cannot authorise: the HMAC key differs', async () => {
    const session = await HmacSession.startSalted(tpm, { handle: srk.handle, point: ecdhKey.publicArea });
    try {
      const digest = createHash('sha256').update('y').digest();
      await expect(sign(tpm, signingKey.handle, digest, { session, keyName: signingKey.name })).rejects.toMatchObject({
        code: expect.stringMatching(/^TPM_RC_/),
      });
    } finally {
      await session.close();
    }
  });
});
