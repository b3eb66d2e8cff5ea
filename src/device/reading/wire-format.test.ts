import { describe, expect, it } from 'vitest';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../test/helpers/testdata.ts';
import { verifyReading } from './signed.ts';
import { encodeReadingPayload, type Reading } from './payload.ts';
import { decodeSign1, sign1ToBeSigned } from '../cose/sign1.ts';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'wire-format.md'), 'utf8');

/** The fenced block following an HTML comment marker in the document. */
function block(marker: string): string {
  const m = new RegExp(`<!-- ${marker} -->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!m?.[1]) throw new Error(`marker ${marker} not found in docs/wire-format.md`);
  return m[1];
}

const hexOf = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('docs/wire-format.md worked example', () => {
  const keyBlock = block('example-public-key');
  const x = /x:\s*([0-9A-Fa-f]{64})/.exec(keyBlock)?.[1] ?? '';
  const y = /y:\s*([0-9A-Fa-f]{64})/.exec(keyBlock)?.[1] ?? '';
  const publicKey: KeyObject = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: hexOf(x).toString('base64url'), y: hexOf(y).toString('base64url') },
    format: 'jwk',
  });
  const reading = JSON.parse(block('example-reading')) as Reading;
  const signed = new Uint8Array(hexOf(block('example-signed-reading')));

  it('verifies the documented signed reading with the documented public key', async () => {
    expect(signed.length).toBe(172);
    const verified = await verifyReading(signed, (kid) => (kid === reading.deviceId ? publicKey : undefined));
    expect(verified).toEqual({ reading, kid: reading.deviceId });
  });

  it('documents the payload and ToBeSigned bytes our encoder produces', () => {
    const msg = decodeSign1(signed);
    expect(Buffer.from(msg.payload).equals(Buffer.from(encodeReadingPayload(reading)))).toBe(true);
    const tbs = sign1ToBeSigned(msg.headers.protectedBytes, msg.payload);
    expect(Buffer.from(tbs).toString('hex')).toBe(hexOf(block('example-to-be-signed')).toString('hex'));
  });

  it('fails verification if one byte of the documented example changes', async () => {
    const tampered = Uint8Array.from(signed);
    tampered[60] = tampered[60]! ^ 0x04;
    await expect(verifyReading(tampered, () => publicKey)).rejects.toThrow();
  });
});
