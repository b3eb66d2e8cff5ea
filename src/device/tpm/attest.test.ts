import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwtpm, type SwtpmInstance } from '../../../test/helpers/swtpm.ts';
import { TpmKeyStore } from '../keystore/tpm.ts';
import { verifyQuote } from './index.ts';

let swtpm: SwtpmInstance;
let store: TpmKeyStore;
let stateDir: string;
const PCRS = [0, 7, 16];

beforeAll(async () => {
  swtpm = await startSwtpm();
  stateDir = mkdtempSync(join(tmpdir(), 'msec-attest-'));
  store = await TpmKeyStore.open({ stateDir, tpm: { kind: 'swtpm', host: swtpm.host, port: swtpm.port } });
  await store.extendPcr(16, createHash('sha256').update('firmware v1').digest());
});

afterAll(async () => {
  await store?.close();
  await swtpm?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function genuine() {
  const ak = await store.ensureAttestationKey('ak');
  const nonce = randomBytes(32);
  const golden = await store.readPcrs(PCRS);
  const q = await store.quote('ak', nonce, PCRS);
  return { ak, nonce, golden, q };
}

describe('TPM2_Quote and the pure node:crypto verifier', () => {
  it('PCR_Extend follows SHA-256(old || digest)', async () => {
    const before = (await store.readPcrs([16])).get(16)!;
    const digest = createHash('sha256').update('event').digest();
    await store.extendPcr(16, digest);
    const after = (await store.readPcrs([16])).get(16)!;
    expect(after.equals(createHash('sha256').update(before).update(digest).digest())).toBe(true);
  });

  it('reads more PCRs than fit one response', async () => {
    const all = await store.readPcrs([...Array(24).keys()]);
    expect(all.size).toBe(24);
    expect(all.get(0)?.equals(Buffer.alloc(32))).toBe(true);
  });

  it('a genuine quote verifies and carries the nonce and selection', async () => {
    const { ak, nonce, golden, q } = await genuine();
    const result = verifyQuote({
      quoted: q.quoted,
      signature: q.signature,
      akPublicKey: ak.publicKey,
      nonce,
      expectedPcrs: golden,
    });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.attest.extraData.equals(nonce)).toBe(true);
      expect(result.attest.pcrSelect[0]?.indices).toEqual(PCRS);
      expect(result.attest.qualifiedSigner.length).toBe(34);
    }
  });

  it('a different nonce fails with ATTESTATION_NONCE_MISMATCH', async () => {
    const { ak, golden, q } = await genuine();
    const r = verifyQuote({
      quoted: q.quoted,
      signature: q.signature,
      akPublicKey: ak.publicKey,
      nonce: randomBytes(32),
      expectedPcrs: golden,
    });
    expect(r.ok ? undefined : r.error.code).toBe('ATTESTATION_NONCE_MISMATCH');
  });

  it('a changed PCR fails against the old golden values with ATTESTATION_PCR_MISMATCH', async () => {
    const ak = await store.ensureAttestationKey('ak');
    const golden = await store.readPcrs(PCRS);
    await store.extendPcr(16, createHash('sha256').update('malware').digest());
    const nonce = randomBytes(32);
    const q = await store.quote('ak', nonce, PCRS);
    const r = verifyQuote({
      quoted: q.quoted,
      signature: q.signature,
      akPublicKey: ak.publicKey,
      nonce,
      expectedPcrs: golden,
    });
    expect(r.ok ? undefined : r.error.code).toBe('ATTESTATION_PCR_MISMATCH');
    // The current values verify, and expecting another PCR set is also a mismatch.
    const current = await store.readPcrs(PCRS);
    expect(
      verifyQuote({ quoted: q.quoted, signature: q.signature, akPublicKey: ak.publicKey, nonce, expectedPcrs: current })
        .ok,
    ).toBe(true);
    const fewer = new Map([...current].filter(([i]) => i !== 7));
    const r2 = verifyQuote({
      quoted: q.quoted,
      signature: q.signature,
      akPublicKey: ak.publicKey,
      nonce,
      expectedPcrs: fewer,
    });
    expect(r2.ok ? undefined : r2.error.code).toBe('ATTESTATION_PCR_MISMATCH');
  });

  it('tampered quoted bytes fail with ATTESTATION_BAD_SIGNATURE', async () => {
    const { ak, nonce, golden, q } = await genuine();
    const tampered = Buffer.from(q.quoted);
    tampered[tampered.length - 1]! ^= 0x01;
    const r = verifyQuote({
      quoted: tampered,
      signature: q.signature,
      akPublicKey: ak.publicKey,
      nonce,
      expectedPcrs: golden,
    });
    expect(r.ok ? undefined : r.error.code).toBe('ATTESTATION_BAD_SIGNATURE');
  });

  it('a quote checked with another key fails with ATTESTATION_BAD_SIGNATURE', async () => {
    const { nonce, golden, q } = await genuine();
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const r = verifyQuote({
      quoted: q.quoted,
      signature: q.signature,
      akPublicKey: other,
      nonce,
      expectedPcrs: golden,
    });
    expect(r.ok ? undefined : r.error.code).toBe('ATTESTATION_BAD_SIGNATURE');
  });
});
