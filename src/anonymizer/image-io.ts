import sharp, { type Metadata } from 'sharp';
import { MsecError } from '../core/errors.ts';
import type { Frame } from './types.ts';

export const IMAGE_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export interface DecodedImage {
  frame: Frame;
  format: ImageFormat;
}

/**
 * Decodes a JPEG, PNG or WebP to RGB, refusing images above `maxPixels` before decoding them
 * (a decompression bomb is refused from its header). EXIF orientation is applied, so the
 * picture looks the same once the metadata is gone.
 */
export async function decodeImage(bytes: Uint8Array, maxPixels: number): Promise<DecodedImage> {
  if (bytes.length === 0) throw new MsecError('ANONYMIZER_IMAGE_EMPTY', 'the image is empty', { status: 400 });
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new MsecError('ANONYMIZER_IMAGE_INVALID', 'the image cannot be read (not a JPEG, PNG or WebP, or corrupt)', {
      status: 400,
    });
  }
  const format: string | undefined = meta.format;
  if (!(IMAGE_FORMATS as readonly string[]).includes(format ?? '')) {
    throw new MsecError(
      'ANONYMIZER_IMAGE_UNSUPPORTED',
      `unsupported image format ${format ?? 'unknown'}: use JPEG, PNG or WebP`,
      { status: 415 },
    );
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0) * Math.max(1, meta.pages ?? 1);
  if (pixels > maxPixels) {
    throw new MsecError(
      'ANONYMIZER_IMAGE_TOO_LARGE',
      `the image has ${pixels} pixels, more than the limit of ${maxPixels}`,
      { status: 413, details: { pixels, maxPixels } },
    );
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      frame: {
        width: info.width,
        height: info.height,
        data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      },
      format: format as ImageFormat,
    };
  } catch {
    throw new MsecError('ANONYMIZER_IMAGE_INVALID', 'the image is corrupt or truncated', { status: 400 });
  }
}

/** Encodes RGB to the format; sharp writes no metadata (EXIF, GPS, XMP) unless asked. */
export async function encodeImage(frame: Frame, format: ImageFormat, quality = 90): Promise<Buffer> {
  const img = sharp(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.length), {
    raw: { width: frame.width, height: frame.height, channels: 3 },
  });
  if (format === 'jpeg') return img.jpeg({ quality }).toBuffer();
  if (format === 'webp') return img.webp({ quality }).toBuffer();
  return img.png().toBuffer();
}

export function formatFromPath(path: string): ImageFormat | undefined {
  const ext = path.toLowerCase().split('.').pop();
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'png') return 'png';
  if (ext === 'webp') return 'webp';
  return undefined;
}
