import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isMsecError } from '../core/errors.ts';
import { decodeImage, encodeImage } from './image-io.ts';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isMsecError(err) ? err.code : `unexpected: ${(err as Error).message}`;
  }
}

describe('image decoding', () => {
  it('refuses empty, corrupt and truncated images with stable codes', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    expect(await codeOf(decodeImage(new Uint8Array(0), 1e6))).toBe('ANONYMIZER_IMAGE_EMPTY');
    expect(await codeOf(decodeImage(Buffer.from('not an image at all'), 1e6))).toBe('ANONYMIZER_IMAGE_INVALID');
    expect(await codeOf(decodeImage(jpeg.subarray(0, jpeg.length >> 1), 1e6))).toMatch(/^ANONYMIZER_IMAGE_(INVALID)$/);
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    expect(await codeOf(decodeImage(gif, 1e6))).toBe('ANONYMIZER_IMAGE_UNSUPPORTED');
  });

  it('refuses a decompression bomb from its header, before decoding it', async () => {
    const bomb = await sharp({ create: { width: 6000, height: 6000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(1_000_000);
    expect(await codeOf(decodeImage(bomb, 10_000_000))).toBe('ANONYMIZER_IMAGE_TOO_LARGE');
  });

  it('drops EXIF and GPS metadata and keeps the picture', async () => {
    const withExif = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } })
      .withExif({ IFD0: { Artist: 'someone', ImageDescription: 'GPS 35.33N 139.49E' } })
      .jpeg()
      .toBuffer();
    expect((await sharp(withExif).metadata()).exif).toBeDefined();
    const { frame } = await decodeImage(withExif, 1e6);
    const out = await encodeImage(frame, 'jpeg');
    const meta = await sharp(out).metadata();
    expect(meta.exif).toBeUndefined();
    expect([meta.width, meta.height]).toEqual([40, 30]);
  });

  it('round-trips any small PNG to the same pixels', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 24 }),
        fc.uint8Array({ minLength: 24 * 24 * 3, maxLength: 24 * 24 * 3 }),
        async (w, h, bytes) => {
          const data = bytes.subarray(0, w * h * 3);
          const png = await encodeImage({ width: w, height: h, data }, 'png');
          const back = await decodeImage(png, 1e6);
          expect(back.format).toBe('png');
          expect(Buffer.from(back.frame.data).equals(Buffer.from(data))).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });
});
