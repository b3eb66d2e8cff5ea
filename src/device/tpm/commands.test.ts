import { execFileSync } from 'node:child_process';
import { createECDH, createHash, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwtpm, type SwtpmInstance } from '../../../test/helpers/swtpm.ts';
import {
  CharDeviceTransport,
  SwtpmSocketTransport,
  TPM_RH,
  TpmClient,
  create,
  createPersistentKey,
  ecdhKeyTemplate,
  ecdhZGen,
  eccPointToKeyObject,
  ensureEk,
  ensureSrk,
  evictControl,
  flushContext,
  getRandom,
  hashInTpm,
  load,
  readPersistent,
  readPublic,
  selfTest,
  sign,
  signatureToP1363,
  signingKeyTemplate,
  startup,
} from './index.ts';

let swtpm: SwtpmInstance;
let tpm: TpmClient;
let work: string;

beforeAll(async () => {
  swtpm = await startSwtpm();
  tpm = new TpmClient(await SwtpmSocketTransport.connect(swtpm.host, swtpm.port));
  work = mkdtempSync(join(tmpdir(), 'msec-tpmcmd-'));
});

afterAll(async () => {
  await tpm?.close();
  await swtpm?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('native TPM 2.0 commands against swtpm', () => {
  it('Startup tolerates an already started TPM, SelfTest passes', async () => {
    await expect(startup(tpm)).resolves.toBeUndefined();
    await expect(selfTest(tpm, true)).resolves.toBeUndefined();
  });

  it('GetRandom returns the requested number of distinct bytes', async () => {
    const a = await getRandom(tpm, 70);
    const b = await getRandom(tpm, 70);
    expect(a.length).toBe(70);
    expect(a.equals(b)).toBe(false);
  });

  it('TPM2_Hash equals node:crypto SHA-256', async () => {
    const data = Buffer.from('potentiometer=512');
    expect((await hashInTpm(tpm, data)).equals(createHash('sha256').update(data).digest())).toBe(true);
  });

  it('creates a signing key whose ECDSA signatures verify with node:crypto and openssl', async () => {
    const srk = await ensureSrk(tpm);
    const key = await create(tpm, srk.handle, signingKeyTemplate());
    const loaded = await load(tpm, srk.handle, key);
    try {
      const data = Buffer.from('reading 42');
      const digest = createHash('sha256').update(data).digest();
      const sig = await sign(tpm, loaded.handle, digest);
      const p1363 = signatureToP1363(sig);
      expect(p1363?.length).toBe(64);
      const publicKey = eccPointToKeyObject(loaded.publicArea);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, p1363!)).toBe(true);
      expect(verify('sha256', Buffer.from('reading 43'), { key: publicKey, dsaEncoding: 'ieee-p1363' }, p1363!)).toBe(
        false,
      );

      // Independent cross-check: openssl verifies the DER form of the TPM's r and s.
      writeFileSync(join(work, 'msg'), data);
      const pem = publicKey.export({ type: 'spki', format: 'pem' });
      writeFileSync(join(work, 'key.pem'), pem);
      const der = Buffer.concat([Buffer.from('3044', 'hex'), derInt(sig.r), derInt(sig.s)]);
      der[1] = der.length - 2;
      writeFileSync(join(work, 'sig.der'), der);
      execFileSync('openssl', [
        'dgst',
        '-sha256',
        '-verify',
        join(work, 'key.pem'),
        '-signature',
        join(work, 'sig.der'),
        join(work, 'msg'),
      ]);
    } finally {
      await flushContext(tpm, loaded.handle);
    }
  });

  it('ECDH_ZGen equals node:crypto ECDH with the peer private key', async () => {
    const srk = await ensureSrk(tpm);
    const loaded = await load(tpm, srk.handle, await create(tpm, srk.handle, ecdhKeyTemplate()));
    try {
      const peer = createECDH('prime256v1');
      peer.generateKeys();
      const peerPublic = peer.getPublicKey();
      const z = await ecdhZGen(tpm, loaded.handle, { x: peerPublic.subarray(1, 33), y: peerPublic.subarray(33) });
      const tpmPoint = Buffer.concat([Buffer.from([4]), loaded.publicArea.x, loaded.publicArea.y]);
      expect(z.x.equals(peer.computeSecret(tpmPoint))).toBe(true);
      // An off-curve point is refused by the TPM with a typed error.
      await expect(
        ecdhZGen(tpm, loaded.handle, { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) }),
      ).rejects.toMatchObject({
        code: 'TPM_RC_ECC_POINT',
      });
    } finally {
      await flushContext(tpm, loaded.handle);
    }
  });

  it('persistent keys survive a swtpm restart and match tpm2_readpublic', async () => {
    const srk = await ensureSrk(tpm);
    const handle = 0x81000123;
    const key = await createPersistentKey(tpm, srk.handle, signingKeyTemplate(), handle);
    await tpm.close();
    await swtpm.restart();
    tpm = new TpmClient(await SwtpmSocketTransport.connect(swtpm.host, swtpm.port));
    await startup(tpm);
    const again = await readPublic(tpm, handle);
    expect(again.name.equals(key.name)).toBe(true);
    const out = join(work, 'pub.name');
    // swtpm serves one connection at a time: step aside for tpm2-tools.
    await tpm.close();
    execFileSync('tpm2_readpublic', ['-T', swtpm.tcti, '-c', `0x${handle.toString(16)}`, '-n', out], {
      stdio: 'ignore',
    });
    expect(readFileSync(out).equals(key.name)).toBe(true);
    tpm = new TpmClient(await SwtpmSocketTransport.connect(swtpm.host, swtpm.port));
    await evictControl(tpm, handle, handle);
    expect(await readPersistent(tpm, handle)).toBeUndefined();
    await expect(sign(tpm, handle, Buffer.alloc(32))).rejects.toMatchObject({ code: 'TPM_RC_HANDLE' });
  });

  it('the EK is deterministic (same key after eviction and re-creation)', async () => {
    const ek = await ensureEk(tpm);
    await evictControl(tpm, ek.handle, ek.handle);
    const ek2 = await ensureEk(tpm);
    expect(ek2.name.equals(ek.name)).toBe(true);
    expect(ek2.publicArea.authPolicy.length).toBe(32);
  });

  it('errors carry the response code (bad hierarchy auth handle)', async () => {
    const err = await sign(tpm, TPM_RH.OWNER, Buffer.alloc(32)).catch((e: unknown) => e);
    expect(err).toMatchObject({ details: { rc: expect.any(Number) } });
    expect((err as { code: string }).code).toMatch(/^TPM_RC_/);
  });

  it('a TPM that is not there gives TPM_UNAVAILABLE', async () => {
    const port = swtpm.port;
    await swtpm.restart(); // the old connection is now dead
    await expect(sign(tpm, 0x81000001, Buffer.alloc(32))).rejects.toMatchObject({ code: 'TPM_UNAVAILABLE' });
    tpm = new TpmClient(await SwtpmSocketTransport.connect(swtpm.host, port));
    await expect(SwtpmSocketTransport.connect('127.0.0.1', 1)).rejects.toMatchObject({ code: 'TPM_UNAVAILABLE' });
    await expect(CharDeviceTransport.open(join(work, 'no-such-tpm'))).rejects.toMatchObject({
      code: 'TPM_UNAVAILABLE',
    });
  });
});

function derInt(v: Buffer): Buffer {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  let body = v.subarray(i);
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.alloc(1), body]);
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
}
