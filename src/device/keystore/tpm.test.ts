import { createHash, diffieHellman, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSwtpm, type SwtpmInstance } from '../../../test/helpers/swtpm.ts';
import { keyStoreContract } from './contract.test-helpers.ts';
import { TpmKeyStore } from './tpm.ts';
import {
  SwtpmSocketTransport,
  TPM_CC,
  TpmClient,
  createPersistentKey,
  ensureSrk,
  evictControl,
  flushContext,
  signingKeyTemplate,
} from '../tpm/index.ts';
import { TpmWiretap } from '../../../test/helpers/tpm-wiretap.ts';

const started: SwtpmInstance[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'msec-tpmks-'));
  dirs.push(dir);
  return dir;
}

async function freshTpm(): Promise<SwtpmInstance> {
  const swtpm = await startSwtpm();
  started.push(swtpm);
  return swtpm;
}

afterAll(async () => {
  for (const s of started) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Each contract test gets its own swtpm, so persistent handles never leak between tests.
keyStoreContract('tpm (swtpm)', async () => {
  const swtpm = await freshTpm();
  return TpmKeyStore.open({ stateDir: tempDir(), tpm: { kind: 'swtpm', host: swtpm.host, port: swtpm.port } });
});

describe('TpmKeyStore specifics', () => {
  let store: TpmKeyStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('keeps keys across a TPM restart and a new store on the same state directory', async () => {
    const swtpm = await freshTpm();
    const stateDir = tempDir();
    const tpm = { kind: 'swtpm' as const, host: swtpm.host, port: swtpm.port };
    store = await TpmKeyStore.open({ stateDir, tpm });
    const signing = await store.ensureSigningKey('signing');
    const ecdh = await store.ensureEcdhKey('ecdh');
    await store.close();
    expect(statSync(join(stateDir, 'tpm-keys.json')).mode & 0o777).toBe(0o600);

    await swtpm.restart();
    store = await TpmKeyStore.open({ stateDir, tpm });
    expect((await store.getPublicKey('signing'))?.jwk).toEqual(signing.jwk);
    const data = Buffer.from('after reboot');
    const sig = await store.sign('signing', data);
    expect(verify('sha256', data, { key: signing.publicKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
    const peer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const z = await store.deriveSharedSecret('ecdh', peer.publicKey);
    expect(Buffer.from(z).equals(diffieHellman({ privateKey: peer.privateKey, publicKey: ecdh.publicKey }))).toBe(true);
  });

  it('does not use a handle that now holds a different key (replaced by other software on the same TPM)', async () => {
    const swtpm = await freshTpm();
    const stateDir = tempDir();
    const tpm = { kind: 'swtpm' as const, host: swtpm.host, port: swtpm.port };
    store = await TpmKeyStore.open({ stateDir, tpm });
    await store.ensureSigningKey('signing');
    await store.close();
    const { handle } = (
      JSON.parse(readFileSync(join(stateDir, 'tpm-keys.json'), 'utf8')) as { keys: Record<string, { handle: number }> }
    ).keys.signing!;
    // Other software evicts our key and puts a key of its own at the same persistent handle.
    const raw = new TpmClient(await SwtpmSocketTransport.connect(swtpm.host, swtpm.port));
    await evictControl(raw, handle, handle);
    await createPersistentKey(raw, (await ensureSrk(raw)).handle, signingKeyTemplate(), handle);
    await raw.close();
    store = await TpmKeyStore.open({ stateDir, tpm });
    expect(await store.getPublicKey('signing')).toBeUndefined();
    await expect(store.sign('signing', Buffer.from('x'))).rejects.toMatchObject({ code: 'KEYSTORE_KEY_NOT_FOUND' });
  });

  it('refuses a key of the wrong type and bad labels', async () => {
    const swtpm = await freshTpm();
    store = await TpmKeyStore.open({ stateDir: tempDir(), tpm: { kind: 'swtpm', host: swtpm.host, port: swtpm.port } });
    await store.ensureEcdhKey('ecdh');
    await expect(store.sign('ecdh', Buffer.from('x'))).rejects.toMatchObject({ code: 'KEYSTORE_WRONG_KEY_TYPE' });
    await expect(store.ensureSigningKey('ecdh')).rejects.toMatchObject({ code: 'KEYSTORE_WRONG_KEY_TYPE' });
    await expect(store.ensureSigningKey('../etc')).rejects.toMatchObject({ code: 'KEYSTORE_BAD_LABEL' });
  });

  it('reports a corrupt label map instead of guessing', async () => {
    const swtpm = await freshTpm();
    const stateDir = tempDir();
    writeFileSync(
      join(stateDir, 'tpm-keys.json'),
      JSON.stringify({ version: 1, keys: { signing: { handle: 1, type: 'x' } } }),
    );
    await expect(
      TpmKeyStore.open({ stateDir, tpm: { kind: 'swtpm', host: swtpm.host, port: swtpm.port } }),
    ).rejects.toMatchObject({ code: 'KEYSTORE_CORRUPT' });
    expect(readFileSync(join(stateDir, 'tpm-keys.json'), 'utf8')).toContain('"x"');
  });

  it('fails with TPM_UNAVAILABLE when no TPM answers', async () => {
    const swtpm = await freshTpm();
    const port = swtpm.port;
    await swtpm.stop();
    await expect(
      TpmKeyStore.open({ stateDir: tempDir(), tpm: { kind: 'swtpm', host: '127.0.0.1', port } }),
    ).rejects.toMatchObject({
      code: 'TPM_UNAVAILABLE',
    });
    await expect(
      TpmKeyStore.open({ stateDir: tempDir(), tpm: { kind: 'device', path: join(tempDir(), 'tpmrm0') } }),
    ).rejects.toMatchObject({
      code: 'TPM_UNAVAILABLE',
    });
  });

  it('uses its keys under a salted HMAC session: the shared secret crosses the wire encrypted; a lost session is replaced', async () => {
    const swtpm = await freshTpm();
    const wire = new TpmWiretap(await SwtpmSocketTransport.connect(swtpm.host, swtpm.port));
    store = await TpmKeyStore.open({ stateDir: tempDir(), tpm: wire });
    const ecdh = await store.ensureEcdhKey('ecdh');
    const signing = await store.ensureSigningKey('signing');
    const peer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const before = wire.received.length;
    const z = await store.deriveSharedSecret('ecdh', peer.publicKey);
    expect(Buffer.from(z).equals(diffieHellman({ privateKey: peer.privateKey, publicKey: ecdh.publicKey }))).toBe(true);
    expect(wire.received.slice(before).some((r) => r.includes(Buffer.from(z)))).toBe(false);
    expect(wire.commandCodes()).toContain(TPM_CC.StartAuthSession);

    // Other software flushes our session: the next signature opens a new one and still succeeds.
    const signCommand = () => wire.sent.findLast((c) => c.readUInt32BE(6) === TPM_CC.Sign)!;
    await store.sign('signing', Buffer.from('one'));
    const sessionHandle = signCommand().readUInt32BE(18); // header 10, key handle 4, auth size 4
    await flushContext(new TpmClient(wire), sessionHandle);
    const sessionsBefore = wire.commandCodes().filter((c) => c === TPM_CC.StartAuthSession).length;
    const data = Buffer.from('two');
    const sig = await store.sign('signing', data);
    expect(verify('sha256', data, { key: signing.publicKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
    expect(wire.commandCodes().filter((c) => c === TPM_CC.StartAuthSession).length).toBe(sessionsBefore + 1);
  });

  it('pins the SRK on first use; a different TPM under the same key map is refused with TPM_SRK_CHANGED', async () => {
    const [first, second] = [await freshTpm(), await freshTpm()];
    const stateDir = tempDir();
    store = await TpmKeyStore.open({ stateDir, tpm: { kind: 'swtpm', host: first.host, port: first.port } });
    const pinned = (JSON.parse(readFileSync(join(stateDir, 'tpm-keys.json'), 'utf8')) as { srk?: string }).srk;
    expect(pinned).toMatch(/^[0-9a-f]{68}$/);
    await store.close();
    // No keys yet: another TPM is simply pinned instead.
    store = await TpmKeyStore.open({ stateDir, tpm: { kind: 'swtpm', host: second.host, port: second.port } });
    const repinned = (JSON.parse(readFileSync(join(stateDir, 'tpm-keys.json'), 'utf8')) as { srk?: string }).srk;
    expect(repinned).not.toBe(pinned);
    await store.ensureSigningKey('signing');
    await store.close();
    store = undefined;
    // Keys made under the second TPM's SRK: the first TPM is refused.
    await expect(
      TpmKeyStore.open({ stateDir, tpm: { kind: 'swtpm', host: first.host, port: first.port } }),
    ).rejects.toMatchObject({ code: 'TPM_SRK_CHANGED' });
    store = await TpmKeyStore.open({ stateDir, tpm: { kind: 'swtpm', host: second.host, port: second.port } });
    expect(await store.getPublicKey('signing')).toBeDefined();
  });

  it('signs digests the TPM computed identically to node:crypto hashing (SHA-256 of data)', async () => {
    const swtpm = await freshTpm();
    store = await TpmKeyStore.open({ stateDir: tempDir(), tpm: { kind: 'swtpm', host: swtpm.host, port: swtpm.port } });
    const { publicKey } = await store.ensureSigningKey('signing');
    const data = Buffer.alloc(5000, 7); // larger than one TPM buffer: hashed in node
    const sig = await store.sign('signing', data);
    const digest = createHash('sha256').update(data).digest();
    expect(verify(null, digest, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(false);
    expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
  });
});
