import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { MsecError } from '../../core/errors.ts';
import { keyStoreContract } from './contract.test-helpers.ts';
import { SoftwareKeyStore } from './software.ts';

const root = mkdtempSync(join(tmpdir(), 'msec-keystore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const FAST = { N: 1024, r: 8, p: 1 };
let n = 0;
const newDir = (): string => join(root, `store-${n++}`);

keyStoreContract('software', () => SoftwareKeyStore.open({ dir: newDir(), passphrase: 'correct horse', scrypt: FAST }));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MsecError);
    return (err as MsecError).code;
  }
  return 'no error';
}

describe('SoftwareKeyStore on disk', () => {
  it('keeps the directory 0700 and files 0600, with no key material in clear', async () => {
    const dir = newDir();
    const store = await SoftwareKeyStore.open({ dir, passphrase: 'pw-1', scrypt: FAST });
    const info = await store.ensureSigningKey('signing');
    // The private scalar, read from the store's own key object, in every encoding it could leak in.
    const d = (store as unknown as { loaded: Map<string, { privateKey: KeyObject }> }).loaded
      .get('signing')!
      .privateKey.export({ format: 'jwk' }).d!;
    const raw = Buffer.from(d, 'base64url');
    await store.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) {
      expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
      const bytes = readFileSync(join(dir, f));
      const text = bytes.toString('utf8');
      for (const secret of [d, raw.toString('base64'), raw.toString('hex')]) expect(text, f).not.toContain(secret);
      expect(bytes.includes(raw), f).toBe(false);
      expect(text).not.toContain('PRIVATE KEY');
    }
    const text = readFileSync(join(dir, 'signing.key'), 'utf8');
    expect(text).not.toContain(info.jwk.x);
    expect(text).not.toContain(Buffer.from(info.jwk.x, 'base64url').toString('base64'));
  });

  it('reopens with the same passphrase and keeps the same keys', async () => {
    const dir = newDir();
    const a = await SoftwareKeyStore.open({ dir, passphrase: 'pw-2', scrypt: FAST });
    const before = await a.ensureSigningKey('signing');
    await a.close();
    const b = await SoftwareKeyStore.open({ dir, passphrase: 'pw-2' });
    expect((await b.getPublicKey('signing'))?.jwk).toEqual(before.jwk);
    await b.close();
  });

  it('rejects a wrong passphrase with KEYSTORE_BAD_PASSPHRASE', async () => {
    const dir = newDir();
    await (await SoftwareKeyStore.open({ dir, passphrase: 'right', scrypt: FAST })).close();
    expect(await codeOf(SoftwareKeyStore.open({ dir, passphrase: 'wrong' }))).toBe('KEYSTORE_BAD_PASSPHRASE');
    expect(await codeOf(SoftwareKeyStore.open({ dir, passphrase: '' }))).toBe('KEYSTORE_BAD_PASSPHRASE');
  });

  it('reports a tampered key file as KEYSTORE_CORRUPT', async () => {
    const dir = newDir();
    const a = await SoftwareKeyStore.open({ dir, passphrase: 'pw-3', scrypt: FAST });
    await a.ensureSigningKey('signing');
    await a.close();
    const path = join(dir, 'signing.key');
    const file = JSON.parse(readFileSync(path, 'utf8')) as { box: { ct: string } };
    const ct = Buffer.from(file.box.ct, 'base64');
    ct[10] = ct[10]! ^ 1;
    file.box.ct = ct.toString('base64');
    writeFileSync(path, JSON.stringify(file));
    const b = await SoftwareKeyStore.open({ dir, passphrase: 'pw-3' });
    expect(await codeOf(b.sign('signing', new Uint8Array([1])))).toBe('KEYSTORE_CORRUPT');
    writeFileSync(path, 'not json');
    expect(await codeOf(b.getPublicKey('signing'))).toBe('KEYSTORE_CORRUPT');
    await b.close();
  });

  it('detects a key file moved to another label', async () => {
    const dir = newDir();
    const a = await SoftwareKeyStore.open({ dir, passphrase: 'pw-4', scrypt: FAST });
    await a.ensureSigningKey('one');
    await a.close();
    renameSync(join(dir, 'one.key'), join(dir, 'two.key'));
    const b = await SoftwareKeyStore.open({ dir, passphrase: 'pw-4' });
    expect(await codeOf(b.sign('two', new Uint8Array([1])))).toBe('KEYSTORE_CORRUPT');
    await b.close();
  });

  it('rejects labels that could escape the directory, wrong key types and use after close', async () => {
    const store = await SoftwareKeyStore.open({ dir: newDir(), passphrase: 'pw-5', scrypt: FAST });
    for (const bad of ['../x', '', '.hidden', 'a/b', 'x'.repeat(65)]) {
      expect(await codeOf(store.ensureSigningKey(bad))).toBe('KEYSTORE_BAD_LABEL');
    }
    await store.ensureEcdhKey('ecdh');
    expect(await codeOf(store.sign('ecdh', new Uint8Array([1])))).toBe('KEYSTORE_WRONG_KEY_TYPE');
    expect(await codeOf(store.ensureSigningKey('ecdh'))).toBe('KEYSTORE_WRONG_KEY_TYPE');
    await store.close();
    expect(await codeOf(store.ensureSigningKey('signing'))).toBe('KEYSTORE_CLOSED');
  });
});
