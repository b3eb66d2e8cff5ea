import { maskBounds, type Mask } from './mask.ts';
import { loadOpenCv } from './opencv.ts';
import type { Box, Frame } from './types.ts';

export const FILL_METHODS = ['inpaint', 'background', 'blur', 'pixelate', 'solid'] as const;
export type FillMethod = (typeof FILL_METHODS)[number];

/** Replaces masked pixels by one colour: the strictest fill, nothing of the object survives. */
export function fillSolid(frame: Frame, mask: Mask, rgb: readonly [number, number, number] = [128, 128, 128]): void {
  const d = frame.data;
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i]) continue;
    d[i * 3] = rgb[0];
    d[i * 3 + 1] = rgb[1];
    d[i * 3 + 2] = rgb[2];
  }
}

/** Replaces masked pixels by the mean of their `block`-pixel cell of the region's grid. */
export function fillPixelate(
  frame: Frame,
  mask: Mask,
  block: number,
  region: Box | undefined = maskBounds(mask),
): void {
  if (!region) return;
  const { width, data } = frame;
  const size = Math.max(2, Math.round(block));
  const x1 = region.x + region.w,
    y1 = region.y + region.h;
  for (let by = region.y; by < y1; by += size) {
    for (let bx = region.x; bx < x1; bx += size) {
      const ex = Math.min(x1, bx + size),
        ey = Math.min(y1, by + size);
      let r = 0,
        g = 0,
        b = 0,
        n = 0,
        any = false;
      for (let y = by; y < ey; y++) {
        for (let x = bx; x < ex; x++) {
          const p = y * width + x;
          r += data[p * 3]!;
          g += data[p * 3 + 1]!;
          b += data[p * 3 + 2]!;
          n++;
          if (mask.data[p]) any = true;
        }
      }
      if (!any) continue;
      for (let y = by; y < ey; y++) {
        for (let x = bx; x < ex; x++) {
          const p = y * width + x;
          if (!mask.data[p]) continue;
          data[p * 3] = r / n;
          data[p * 3 + 1] = g / n;
          data[p * 3 + 2] = b / n;
        }
      }
    }
  }
}

/** One horizontal then vertical running-mean pass of radius r over an RGB crop (edges clamped). */
function boxBlurPass(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  const n = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    for (let c = 0; c < 3; c++) {
      let acc = 0;
      for (let k = -r; k <= r; k++) acc += src[(y * w + Math.min(w - 1, Math.max(0, k))) * 3 + c]!;
      for (let x = 0; x < w; x++) {
        tmp[(y * w + x) * 3 + c] = acc / n;
        acc += src[(y * w + Math.min(w - 1, x + r + 1)) * 3 + c]! - src[(y * w + Math.max(0, x - r)) * 3 + c]!;
      }
    }
  }
  for (let x = 0; x < w; x++) {
    for (let c = 0; c < 3; c++) {
      let acc = 0;
      for (let k = -r; k <= r; k++) acc += tmp[(Math.min(h - 1, Math.max(0, k)) * w + x) * 3 + c]!;
      for (let y = 0; y < h; y++) {
        out[(y * w + x) * 3 + c] = acc / n;
        acc += tmp[(Math.min(h - 1, y + r + 1) * w + x) * 3 + c]! - tmp[(Math.max(0, y - r) * w + x) * 3 + c]!;
      }
    }
  }
  return out;
}

/** Replaces masked pixels by a strong blur (three box passes, close to a Gaussian of sigma ≈ r). */
export function fillBlur(frame: Frame, mask: Mask, radius: number, region: Box | undefined = maskBounds(mask)): void {
  if (!region) return;
  const r = Math.max(1, Math.round(radius));
  const { width, height, data } = frame;
  const x0 = Math.max(0, region.x - r),
    y0 = Math.max(0, region.y - r);
  const x1 = Math.min(width, region.x + region.w + r),
    y1 = Math.min(height, region.y + region.h + r);
  const w = x1 - x0,
    h = y1 - y0;
  let crop: Float32Array = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let i = 0; i < w * 3; i++) crop[y * w * 3 + i] = data[((y + y0) * width + x0) * 3 + i]!;
  for (let pass = 0; pass < 3; pass++) crop = boxBlurPass(crop, w, h, r);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y + y0) * width + x + x0;
      if (!mask.data[p]) continue;
      for (let c = 0; c < 3; c++) data[p * 3 + c] = crop[(y * w + x) * 3 + c]!;
    }
  }
}

export interface InpaintOptions {
  method: 'telea' | 'ns';
  /** The largest hole is scaled down to at most this many pixels before inpainting (GANonymizer: 100). */
  maxHole: number;
  /** The largest hole's longer side in pixels, at full size. */
  holeSize: number;
}

/**
 * OpenCV inpainting (Telea or Navier–Stokes) of the masked region's neighbourhood, on a copy
 * scaled so the largest hole is at most `maxHole` pixels, pasted back only inside the mask.
 */
export async function fillInpaint(frame: Frame, mask: Mask, o: InpaintOptions): Promise<void> {
  const region = maskBounds(mask);
  if (!region) return;
  const { cv } = await loadOpenCv();
  const scale = Math.min(1, o.maxHole / Math.max(1, o.holeSize));
  const margin = Math.ceil(8 / scale);
  const x0 = Math.max(0, region.x - margin),
    y0 = Math.max(0, region.y - margin);
  const x1 = Math.min(frame.width, region.x + region.w + margin),
    y1 = Math.min(frame.height, region.y + region.h + margin);
  const w = x1 - x0,
    h = y1 - y0;
  const rgb = new Uint8Array(w * h * 3);
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    rgb.set(frame.data.subarray(((y + y0) * frame.width + x0) * 3, ((y + y0) * frame.width + x1) * 3), y * w * 3);
    m.set(mask.data.subarray((y + y0) * frame.width + x0, (y + y0) * frame.width + x1), y * w);
  }
  const mats: any[] = [];
  try {
    const img = new cv.Mat(h, w, cv.CV_8UC3);
    mats.push(img);
    img.data.set(rgb);
    const hole = new cv.Mat(h, w, cv.CV_8UC1);
    mats.push(hole);
    hole.data.set(m);
    const sw = Math.max(1, Math.round(w * scale)),
      sh = Math.max(1, Math.round(h * scale));
    const small = new cv.Mat();
    mats.push(small);
    const smallHole = new cv.Mat();
    mats.push(smallHole);
    cv.resize(img, small, new cv.Size(sw, sh), 0, 0, cv.INTER_AREA);
    // Nearest-neighbour would drop thin mask lines: linear, then any trace of the hole counts.
    cv.resize(hole, smallHole, new cv.Size(sw, sh), 0, 0, cv.INTER_LINEAR);
    const sh8 = smallHole.data as Uint8Array;
    for (let i = 0; i < sh8.length; i++) sh8[i] = sh8[i]! > 0 ? 255 : 0;
    const painted = new cv.Mat();
    mats.push(painted);
    cv.inpaint(small, smallHole, painted, 3, o.method === 'ns' ? cv.INPAINT_NS : cv.INPAINT_TELEA);
    const full = new cv.Mat();
    mats.push(full);
    cv.resize(painted, full, new cv.Size(w, h), 0, 0, cv.INTER_LINEAR);
    const out = full.data as Uint8Array;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (!m[y * w + x]) continue;
        const p = ((y + y0) * frame.width + x + x0) * 3,
          q = (y * w + x) * 3;
        frame.data[p] = out[q]!;
        frame.data[p + 1] = out[q + 1]!;
        frame.data[p + 2] = out[q + 2]!;
      }
    }
  } finally {
    for (const mat of mats) mat.delete();
  }
}
