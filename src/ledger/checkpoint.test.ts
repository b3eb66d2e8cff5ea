import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generatePlatformKey } from '../core/index.ts';
import {
  checkpointNoteFrom,
  checkpointToJson,
  keyId,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
} from './checkpoint.ts';
import { leafHash } from './merkle/hash.ts';

const key = generatePlatformKey();
const other = generatePlatformKey();
const root = leafHash(Buffer.from('root'));
const signed = signCheckpoint({ origin: 'msec.test/log', size: 42, root }, key.privateKey);

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('checkpoints (C2SP tlog-checkpoint signed notes)', () => {
  it('writes the C2SP layout and verifies with the platform key', () => {
    const lines = signed.note.split('\n');
    expect(lines.slice(0, 4)).toEqual(['msec.test/log', '42', root.toString('base64'), '']);
    expect(lines[4]).toMatch(/^\u2014 msec\.test\/log [A-Za-z0-9+/]+=*$/);
    expect(lines[5]).toBe('');
    const sig = Buffer.from(lines[4]!.split(' ')[2]!, 'base64');
    expect(sig.subarray(0, 4)).toEqual(keyId(key.publicKey));
    const v = verifyCheckpoint(signed.note, key.publicKey);
    expect(v).toMatchObject({ origin: 'msec.test/log', size: 42 });
    expect(v.root).toEqual(root);
    expect(checkpointNoteFrom(checkpointToJson(signed))).toBe(signed.note);
  });

  it('rejects another key, another origin and altered bodies', () => {
    expect(code(() => verifyCheckpoint(signed.note, other.publicKey))).toBe('CHECKPOINT_BAD_SIGNATURE');
    expect(code(() => verifyCheckpoint(signed.note, key.publicKey, 'other/log'))).toBe('CHECKPOINT_BAD_SIGNATURE');
    expect(code(() => verifyCheckpoint(signed.note.replace('\n42\n', '\n43\n'), key.publicKey))).toBe(
      'CHECKPOINT_BAD_SIGNATURE',
    );
    // A cosignature by another key is allowed beside ours.
    const cosigned = signCheckpoint({ origin: 'msec.test/log', size: 42, root }, other.privateKey);
    const both = signed.note + cosigned.note.split('\n\n')[1]!;
    expect(verifyCheckpoint(both, key.publicKey).size).toBe(42);
    expect(verifyCheckpoint(both, other.publicKey).size).toBe(42);
  });

  it('rejects malformed notes', () => {
    const bad = [
      signed.note.replace('\n42\n', '\n042\n'),
      signed.note.replace('\n42\n', '\n-1\n'),
      signed.note.replace('msec.test/log\n42', 'msec.test/log\n42\next'),
      signed.note.replace('\n\n', '\n'),
      signed.note.slice(0, -1),
      signed.note.replace('\u2014', '-'),
      signed.note.replace(root.toString('base64'), root.subarray(1).toString('base64')),
      signed.note.replace('msec.test/log', 'msec test/log'),
      `${signed.note}\u0007`,
      'x'.repeat(20000),
    ];
    for (const text of bad)
      expect(code(() => verifyCheckpoint(text, key.publicKey))).toMatch(/^CHECKPOINT_(MALFORMED|BAD_SIGNATURE)$/);
    expect(code(() => parseCheckpoint(42))).toBe('CHECKPOINT_MALFORMED');
    expect(code(() => checkpointNoteFrom({}))).toBe('CHECKPOINT_MALFORMED');
  });

  it('never accepts a single-bit change anywhere in the note', () => {
    fc.assert(
      fc.property(fc.nat({ max: signed.note.length * 8 - 1 }), (bit) => {
        const bytes = Buffer.from(signed.note, 'utf8');
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        const changed = bytes.toString('utf8');
        expect(code(() => verifyCheckpoint(changed, key.publicKey))).toMatch(/^CHECKPOINT_(MALFORMED|BAD_SIGNATURE)$/);
      }),
      { numRuns: 300 },
    );
  });

  it('parses arbitrary text only into MsecErrors', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constantFrom(signed.note).chain((n) => fc.nat(n.length - 1).map((i) => n.slice(0, i))),
        ),
        (text) => {
          expect(code(() => verifyCheckpoint(text, key.publicKey))).toMatch(/^CHECKPOINT_(MALFORMED|BAD_SIGNATURE)$/);
        },
      ),
    );
  });
});
