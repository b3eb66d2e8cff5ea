import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MsecError } from '../../core/errors.ts';
import { newKnockKeyLine, readKnockKeys } from './keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'msec-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (text: string) => {
  const p = join(dir, `k-${randomBytes(4).toString('hex')}`);
  writeFileSync(p, text);
  chmodSync(p, 0o600);
  return p;
};

describe('knock key files', () => {
  it('reads generated lines, comments and blank lines', () => {
    const a = newKnockKeyLine('alice');
    const b = newKnockKeyLine('bob.ops');
    const keys = readKnockKeys(file(`# operators\n${a}\n\n${b}\n`));
    expect([...keys.keys()]).toEqual(['alice', 'bob.ops']);
    expect(keys.get('alice')!.toString('base64')).toBe(a.split(' ')[1]);
  });

  it('any other content is refused with a stable code and the line, never a crash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          const keys = readKnockKeys(file(text));
          for (const k of keys.values()) expect(k.length).toBe(32);
        } catch (err) {
          expect(err).toBeInstanceOf(MsecError);
          expect((err as MsecError).code).toBe('GATEWAY_KNOCK_KEYFILE_INVALID');
        }
      }),
      { numRuns: 200 },
    );
    expect(() => readKnockKeys(file(`alice ${randomBytes(16).toString('base64')}\n`))).toThrow(/base64 of 32 bytes/);
    expect(() => readKnockKeys(file(`${newKnockKeyLine('a')}\n${newKnockKeyLine('a')}\n`))).toThrow(/appears twice/);
  });
});
