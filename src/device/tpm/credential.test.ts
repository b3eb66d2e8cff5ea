import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwtpm, type SwtpmInstance } from '../../../test/helpers/swtpm.ts';
import {
  SwtpmSocketTransport,
  TpmClient,
  TpmReader,
  TpmWriter,
  activateCredential,
  attestationKeyTemplate,
  createPersistentKey,
  eccPointToKeyObject,
  ensureEk,
  ensureSrk,
  kdfa,
  makeCredential,
  sign,
  type LoadedObject,
} from './index.ts';

let tpmA: SwtpmInstance;
let tpmB: SwtpmInstance;
let clientA: TpmClient;
let ekA: LoadedObject;
let ekB: LoadedObject;
let ak: LoadedObject;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'msec-cred-'));
  [tpmA, tpmB] = await Promise.all([startSwtpm(), startSwtpm()]);
  const clientB = new TpmClient(await SwtpmSocketTransport.connect(tpmB.host, tpmB.port));
  ekB = await ensureEk(clientB);
  await clientB.close();
  clientA = new TpmClient(await SwtpmSocketTransport.connect(tpmA.host, tpmA.port));
  ekA = await ensureEk(clientA);
  const srk = await ensureSrk(clientA);
  ak = await createPersistentKey(clientA, srk.handle, attestationKeyTemplate(), 0x81000200);
});

afterAll(async () => {
  await clientA?.close();
  await tpmA?.stop();
  await tpmB?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('credential activation (hub makeCredential in node:crypto, TPM2_ActivateCredential on the device)', () => {
  it("recovers a credential made for this TPM's EK and this AK", async () => {
    const secret = randomBytes(32);
    const made = makeCredential(eccPointToKeyObject(ekA.publicArea), secret, ak.name);
    const recovered = await activateCredential(clientA, ak.handle, ekA.handle, made.credentialBlob, made.secret);
    expect(recovered.equals(secret)).toBe(true);
  });

  it("fails for a credential made for another TPM's EK", async () => {
    const made = makeCredential(eccPointToKeyObject(ekB.publicArea), randomBytes(32), ak.name);
    const err = await activateCredential(clientA, ak.handle, ekA.handle, made.credentialBlob, made.secret).catch(
      (e: unknown) => e,
    );
    expect((err as { code?: string }).code).toMatch(/^TPM_RC_(INTEGRITY|ECC_POINT|VALUE)$/);
  });

  it('fails when bound to another object name, or when the blob is tampered', async () => {
    const otherName = Buffer.concat([Buffer.from([0, 0x0b]), randomBytes(32)]);
    const forOther = makeCredential(eccPointToKeyObject(ekA.publicArea), randomBytes(16), otherName);
    await expect(
      activateCredential(clientA, ak.handle, ekA.handle, forOther.credentialBlob, forOther.secret),
    ).rejects.toMatchObject({
      code: 'TPM_RC_INTEGRITY',
    });
    const made = makeCredential(eccPointToKeyObject(ekA.publicArea), randomBytes(16), ak.name);
    const blob = Buffer.from(made.credentialBlob);
    blob[blob.length - 1]! ^= 0x80;
    await expect(activateCredential(clientA, ak.handle, ekA.handle, blob, made.secret)).rejects.toMatchObject({
      code: 'TPM_RC_INTEGRITY',
    });
  });

  it('leaves no policy session behind (many activations in a row succeed)', async () => {
    for (let i = 0; i < 5; i++) {
      const made = makeCredential(eccPointToKeyObject(ekB.publicArea), randomBytes(8), ak.name);
      await activateCredential(clientA, ak.handle, ekA.handle, made.credentialBlob, made.secret).catch(() => undefined);
    }
    const secret = randomBytes(8);
    const made = makeCredential(eccPointToKeyObject(ekA.publicArea), secret, ak.name);
    expect(
      (await activateCredential(clientA, ak.handle, ekA.handle, made.credentialBlob, made.secret)).equals(secret),
    ).toBe(true);
  });

  it('activates a credential made offline by tpm2_makecredential (independent implementation)', async () => {
    writeFileSync(join(work, 'ek.pub'), new TpmWriter().tpm2b(ekA.publicBytes).toBuffer());
    const secret = randomBytes(20);
    writeFileSync(join(work, 'secret'), secret);
    execFileSync(
      'tpm2_makecredential',
      [
        '-T',
        'none',
        '-u',
        join(work, 'ek.pub'),
        '-s',
        join(work, 'secret'),
        '-n',
        ak.name.toString('hex'),
        '-o',
        join(work, 'cred'),
      ],
      {
        stdio: 'ignore',
      },
    );
    const r = new TpmReader(readFileSync(join(work, 'cred')));
    expect(r.u32()).toBe(0xbadcc0de);
    r.u32(); // file format version
    const blob = r.tpm2b('credential blob');
    const encSecret = r.tpm2b('secret');
    expect((await activateCredential(clientA, ak.handle, ekA.handle, blob, encSecret)).equals(secret)).toBe(true);
  });

  it('the restricted AK refuses to sign an outside digest (it cannot forge a quote)', async () => {
    const digest = createHash('sha256').update('forged TPMS_ATTEST').digest();
    await expect(sign(clientA, ak.handle, digest)).rejects.toMatchObject({ code: expect.stringMatching(/^TPM_RC_/) });
  });

  it('validates makeCredential inputs', () => {
    const ek = eccPointToKeyObject(ekA.publicArea);
    expect(() => makeCredential(ek, new Uint8Array(0), ak.name)).toThrow(
      expect.objectContaining({ code: 'CREDENTIAL_INVALID' }),
    );
    expect(() => makeCredential(ek, randomBytes(33), ak.name)).toThrow(
      expect.objectContaining({ code: 'CREDENTIAL_INVALID' }),
    );
    expect(() => makeCredential(ek, randomBytes(8), Buffer.alloc(3))).toThrow(
      expect.objectContaining({ code: 'CREDENTIAL_INVALID' }),
    );
  });

  it('KDFa produces the requested length and depends on every input', () => {
    const key = Buffer.alloc(32, 1);
    const base = kdfa(key, 'STORAGE', Buffer.from('u'), Buffer.from('v'), 384);
    expect(base.length).toBe(48);
    expect(kdfa(key, 'STORAGE', Buffer.from('u'), Buffer.from('v'), 384).equals(base)).toBe(true);
    expect(kdfa(key, 'INTEGRITY', Buffer.from('u'), Buffer.from('v'), 384).equals(base)).toBe(false);
    expect(kdfa(key, 'STORAGE', Buffer.from('u'), Buffer.from('w'), 384).equals(base)).toBe(false);
  });
});
