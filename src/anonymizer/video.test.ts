import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { framesOf } from './video.ts';

describe('frames from a pipe', () => {
  it('cuts any chunking of the stream into exact, independent frames and drops a trailing partial one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 49 }),
        fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 20 }),
        async (size, frames, tail, cuts) => {
          const bytes = Uint8Array.from({ length: size * frames + Math.min(tail, size - 1) }, (_, i) => (i * 7) & 255);
          const chunks: Buffer[] = [];
          for (let off = 0, k = 0; off < bytes.length; k++) {
            const n = cuts[k % cuts.length]!;
            chunks.push(Buffer.from(bytes.subarray(off, off + n)));
            off += n;
          }
          const out: Uint8Array[] = [];
          for await (const f of framesOf(Readable.from(chunks), size)) out.push(f);
          expect(out).toHaveLength(frames);
          out.forEach((f, i) => expect([...f]).toEqual([...bytes.subarray(i * size, (i + 1) * size)]));
          if (out.length > 1) expect(out[0]!.buffer).not.toBe(out[1]!.buffer);
        },
      ),
      { numRuns: 200 },
    );
  });
});
