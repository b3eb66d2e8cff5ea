import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_LOG, ledgerModule } from '../src/ledger/index.ts';
import { verifyBundle } from '../src/console/web/ledger-verify.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

/** The console's WebCrypto verifier against proofs from the real ledger (Node's WebCrypto). */
describe('console ledger verifier against the real log', () => {
  let t: TestPlatform;
  let pem = '';
  const bundles: Array<{ entry: unknown; proof: { hashes: string[] }; checkpoint: { note: string } }> = [];

  beforeAll(async () => {
    t = await startTestPlatform({ modules: [ledgerModule()] });
    const log = t.platform.ctx.services.get(LEDGER_LOG);
    for (let i = 0; i < 7; i++)
      await log.append({ kind: 'test.entry', dataHash: i.toString(16).padStart(2, '0').repeat(32) });
    const token = await t.adminToken();
    pem = (await t.request('GET', '/api/v1/ledger/public-key')).json().publicKeyPem;
    for (let i = 0; i < 7; i++)
      bundles.push((await t.request('GET', `/api/v1/ledger/proofs/inclusion?index=${i}`, { token })).json());
  });
  afterAll(async () => {
    await t?.close();
  });

  it('verifies every entry of a 7-entry tree', async () => {
    for (const [i, b] of bundles.entries())
      expect(await verifyBundle(b.entry, b.proof, b.checkpoint, pem)).toEqual({
        ok: true,
        index: i,
        size: 7,
        origin: expect.any(String),
      });
  });

  it('refuses any changed byte of the entry, proof or note', async () => {
    const b = bundles[3]!;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('entry', 'proof', 'note'),
        fc.nat(),
        fc.integer({ min: 1, max: 15 }),
        async (part, at, flip) => {
          const json =
            part === 'entry' ? JSON.stringify(b.entry) : part === 'proof' ? JSON.stringify(b.proof) : b.checkpoint.note;
          const i = at % json.length;
          const changed = json.slice(0, i) + String.fromCharCode(json.charCodeAt(i) ^ flip) + json.slice(i + 1);
          if (changed === json) return;
          let parsed: unknown;
          try {
            parsed = part === 'note' ? changed : JSON.parse(changed);
          } catch {
            return; // not JSON any more: nothing to verify
          }
          const v = await verifyBundle(
            part === 'entry' ? parsed : b.entry,
            part === 'proof' ? parsed : b.proof,
            part === 'note' ? parsed : b.checkpoint,
            pem,
          );
          // Only a change JSON parsing erases (e.g. inside whitespace) may still verify.
          const same =
            part !== 'note' && JSON.stringify(parsed) === JSON.stringify(part === 'entry' ? b.entry : b.proof);
          expect(v.ok).toBe(same);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses a proof for another entry and a note signed by another key', async () => {
    const v = await verifyBundle(bundles[2]!.entry, bundles[3]!.proof, bundles[3]!.checkpoint, pem);
    expect(v).toMatchObject({ ok: false, reason: expect.stringContaining('proof is for entry 3') });
    const other = await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
    const spki = Buffer.from(await globalThis.crypto.subtle.exportKey('spki', other.publicKey)).toString('base64');
    const wrong = await verifyBundle(
      bundles[0]!.entry,
      bundles[0]!.proof,
      bundles[0]!.checkpoint,
      `-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----`,
    );
    expect(wrong).toMatchObject({ ok: false, reason: expect.stringContaining('no signature by this key') });
  });
});
