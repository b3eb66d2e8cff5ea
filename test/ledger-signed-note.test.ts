/**
 * Our checkpoints checked by a signed-note verifier written here from the specifications alone
 * (c2sp.org/signed-note, signature type 0x02 "ECDSA as implemented by transparency-dev/witness";
 * the verifier key form of transparency-dev's note.NewECDSAVerifier), using nothing of src/ledger.
 */
import { createHash, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerModule, legacyKeyId, verifyCheckpoint } from '../src/ledger/index.ts';
import { memoryOutboxModule } from './helpers/outbox.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

interface NoteVerifier {
  name: string;
  keyHash: number;
  key: KeyObject;
}

/** `<name>+<hex key hash>+base64(0x02 || SPKI DER)`; the key hash must be SHA-256(SPKI DER)[:4]. */
function parseVerifierKey(vkey: string): NoteVerifier {
  // Like Go's strings.SplitN(key, "+", 3): the base64 part may itself contain '+'.
  const m = /^([^+]+)\+([^+]+)\+(.+)$/.exec(vkey);
  if (!m) throw new Error('verifier key must have three + separated parts');
  const [, name, hash, b64] = m as unknown as [string, string, string, string];
  const bytes = Buffer.from(b64, 'base64');
  if (bytes[0] !== 0x02) throw new Error('not an ECDSA (0x02) verifier key');
  const der = bytes.subarray(1);
  const keyHash = createHash('sha256').update(der).digest().readUInt32BE(0);
  if (Number.parseInt(hash, 16) !== keyHash) throw new Error('key hash does not match the key');
  return { name, keyHash, key: createPublicKey({ key: der, format: 'der', type: 'spki' }) };
}

/** signed-note Open: the text up to the last blank line; accepted when a known key's signature verifies. */
function openNote(note: string, v: NoteVerifier): string {
  if (!note.endsWith('\n')) throw new Error('note must end in a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('no signature block');
  const text = note.slice(0, split + 1);
  let verified = false;
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error('malformed signature line');
    const sig = Buffer.from(m[2]!, 'base64');
    if (m[1] !== v.name || sig.length < 5 || sig.readUInt32BE(0) !== v.keyHash) continue; // unknown key: ignored
    if (!verify('sha256', Buffer.from(text, 'utf8'), v.key, sig.subarray(4)))
      throw new Error('signature from a known key fails');
    verified = true;
  }
  if (!verified) throw new Error('no signature from a known key');
  return text;
}

describe('checkpoints verified by an independent signed-note verifier', () => {
  let t: TestPlatform;
  const mod = ledgerModule({ batchMaxReadings: 2, batchIntervalMs: 3_600_000 });
  const outbox = memoryOutboxModule();

  beforeAll(async () => {
    t = await startTestPlatform({ modules: [mod, outbox] });
    for (let i = 0; i < 5; i++) outbox.add(randomBytes(50));
    await mod.consumer()!.round();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('publishes the verifier key, and the served checkpoint opens with it', async () => {
    const vkeyText = await t.request('GET', '/api/v1/ledger/verifier-key');
    expect(vkeyText.statusCode).toBe(200);
    expect(vkeyText.headers['content-type']).toMatch(/^text\/plain/);
    const v = parseVerifierKey(vkeyText.body.trim());
    const json = (await t.request('GET', '/api/v1/ledger/public-key')).json() as {
      verifierKey: string;
      publicKeyPem: string;
    };
    expect(json.verifierKey).toBe(vkeyText.body.trim());

    const head = (await t.request('GET', '/api/v1/ledger/checkpoint')).json() as {
      origin: string;
      size: number;
      rootHash: string;
      note: string;
    };
    expect(v.name).toBe(head.origin);
    const text = openNote(head.note, v);
    expect(text).toBe(`${head.origin}\n${head.size}\n${head.rootHash}\n`);
    expect(head.size).toBe(3);
    expect(() => openNote(head.note.replace(`\n${head.size}\n`, `\n${head.size + 1}\n`), v)).toThrow(/fails/);
  });

  it('serves the same key as PEM when asked for PEM', async () => {
    const byQuery = await t.request('GET', '/api/v1/ledger/public-key?format=pem');
    const byAccept = await t.request('GET', '/api/v1/ledger/public-key', {
      headers: { accept: 'application/x-pem-file' },
    });
    for (const res of [byQuery, byAccept]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-pem-file/);
      expect(res.body).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    }
    const vkey = parseVerifierKey((await t.request('GET', '/api/v1/ledger/verifier-key')).body.trim());
    const pem = createPublicKey(byQuery.body);
    expect(pem.export({ format: 'der', type: 'spki' }).equals(vkey.key.export({ format: 'der', type: 'spki' }))).toBe(
      true,
    );
  });

  it('a v1 note (origin-bound key ID) still verifies with our verifier, and a standard one ignores it as documented', async () => {
    const key = t.platform.ctx.platformKey;
    const head = (await t.request('GET', '/api/v1/ledger/checkpoint')).json() as { origin: string; note: string };
    const text = head.note.slice(0, head.note.lastIndexOf('\n\n') + 1);
    const sig = Buffer.concat([
      legacyKeyId(head.origin, key.publicKey),
      sign('sha256', Buffer.from(text), key.privateKey),
    ]);
    const v1 = `${text}\n\u2014 ${head.origin} ${sig.toString('base64')}\n`;
    expect(verifyCheckpoint(v1, key.publicKey).origin).toBe(head.origin);
    const v = parseVerifierKey((await t.request('GET', '/api/v1/ledger/verifier-key')).body.trim());
    expect(() => openNote(v1, v)).toThrow(/no signature from a known key/);
  });
});
